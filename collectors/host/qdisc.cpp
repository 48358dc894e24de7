#include "collectors/host/qdisc.h"

#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <limits>
#include <memory>
#include <unordered_map>

#include "collectors/core/device_filter.h"
#include "collectors/core/go_json.h"
#include "collectors/core/netlink_dump.h"
#include "collectors/core/proc_fs.h"
#include "collectors/host/netclass_netlink.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kLabels = {"device", "kind"};
const MetricDesc kBytes{"node_qdisc_bytes_total", "Number of bytes sent.", MetricType::Counter, kLabels};
const MetricDesc kPackets{"node_qdisc_packets_total", "Number of packets sent.", MetricType::Counter, kLabels};
const MetricDesc kDrops{"node_qdisc_drops_total", "Number of packets dropped.", MetricType::Counter, kLabels};
const MetricDesc kRequeues{"node_qdisc_requeues_total", "Number of packets dequeued, not transmitted, and requeued.",
                           MetricType::Counter, kLabels};
const MetricDesc kOverlimits{"node_qdisc_overlimits_total", "Number of overlimit packets.", MetricType::Counter,
                             kLabels};
const MetricDesc kQlen{"node_qdisc_current_queue_length", "Number of packets currently in queue to be sent.",
                       MetricType::Gauge, kLabels};
const MetricDesc kBacklog{"node_qdisc_backlog", "Number of bytes currently in queue to be sent.", MetricType::Gauge,
                          kLabels};

// Sizes of the kernel structs as the library reads them (fields, not padding).
constexpr std::size_t kTcStatsBytes = 36;       // struct tc_stats: u64 bytes, 7 x u32
constexpr std::size_t kStatsBasicBytes = 12;    // struct gnet_stats_basic: u64 bytes, u32 packets
constexpr std::size_t kStatsQueueBytes = 20;    // struct gnet_stats_queue: 5 x u32

// TCA_STATS2's nested blocks; false when one is shorter than its struct.
bool ApplyStats2(std::string_view nested, QdiscInfo& q) {
  bool truncated = false;
  for (const NetlinkAttribute& a : SplitNetlinkAttributes(nested, &truncated)) {
    if (a.type == TCA_STATS_BASIC) {
      if (a.value.size() < kStatsBasicBytes) {
        return false;
      }
      q.bytes = NetlinkU64(a.value);
      q.packets = NetlinkU32(a.value.substr(8));
    } else if (a.type == TCA_STATS_QUEUE) {
      if (a.value.size() < kStatsQueueBytes) {
        return false;
      }
      q.qlen = NetlinkU32(a.value);
      q.backlog = NetlinkU32(a.value.substr(4));
      q.drops = NetlinkU32(a.value.substr(8));
      q.requeues = NetlinkU32(a.value.substr(12));
      q.overlimits = NetlinkU32(a.value.substr(16));
    }
  }
  return !truncated;
}

// The legacy struct tc_stats (no requeues).
void ApplyTcStats(std::string_view v, QdiscInfo& q) {
  q.bytes = NetlinkU64(v);
  q.packets = NetlinkU32(v.substr(8));
  q.drops = NetlinkU32(v.substr(12));
  q.overlimits = NetlinkU32(v.substr(16));
  q.qlen = NetlinkU32(v.substr(28));
  q.backlog = NetlinkU32(v.substr(32));
}

// One RTM_NEWQDISC message; false when it is malformed.
bool ParseQdiscMessage(std::string_view payload, QdiscInfo& q) {
  if (payload.size() < sizeof(tcmsg)) {
    return false;
  }
  tcmsg tc;
  std::memcpy(&tc, payload.data(), sizeof(tc));
  q.ifindex = static_cast<std::uint32_t>(tc.tcm_ifindex);
  q.handle = tc.tcm_handle;
  q.parent = tc.tcm_parent == TC_H_ROOT ? 0 : tc.tcm_parent;
  bool truncated = false;
  for (const NetlinkAttribute& a : SplitNetlinkAttributes(payload.substr(NLMSG_ALIGN(sizeof(tcmsg))), &truncated)) {
    if (a.type == TCA_KIND) {
      q.kind = NetlinkString(a.value);
    } else if (a.type == TCA_STATS2 && !ApplyStats2(a.value, q)) {
      return false;
    } else if (a.type == TCA_STATS) {
      if (a.value.size() < kTcStatsBytes) {
        return false;
      }
      ApplyTcStats(a.value, q);
    }
  }
  return !truncated;
}

// One QdiscInfo field of the fixture: key is the lower-cased Go field name.
void ApplyFixtureField(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& path,
                       QdiscInfo& q) {
  constexpr long long kU32 = std::numeric_limits<std::uint32_t>::max();
  constexpr long long kU64 = std::numeric_limits<long long>::max();
  const std::pair<std::string_view, std::uint32_t*> u32_fields[] = {
      {"parent", &q.parent},     {"handle", &q.handle},         {"packets", &q.packets}, {"drops", &q.drops},
      {"requeues", &q.requeues}, {"overlimits", &q.overlimits}, {"qlen", &q.qlen},       {"backlog", &q.backlog}};
  long long n = 0;
  if (key == "ifacename") {
    r.String(v, path, &q.iface_name);
  } else if (key == "kind") {
    r.String(v, path, &q.kind);
  } else if (key == "bytes") {
    if (r.Int(v, path, 0, kU64, &n)) q.bytes = static_cast<std::uint64_t>(n);
  } else {
    for (const auto& [name, field] : u32_fields) {
      if (key == name && r.Int(v, path, 0, kU32, &n)) {
        *field = static_cast<std::uint32_t>(n);
      }
    }
  }
}

// ifindex -> name from an RTM_GETLINK dump, as the library's net.Interfaces() does.
Result<std::unordered_map<std::uint32_t, std::string>> LinkNames(std::uint64_t* parse_errors) {
  Result<std::string> dump = DumpRtnlLinks();
  if (!dump.ok()) {
    return dump.status();
  }
  Result<std::vector<RtnlLink>> links = ParseRtnlLinks(dump.value(), parse_errors);
  if (!links.ok()) {
    return links.status();
  }
  std::unordered_map<std::uint32_t, std::string> names;
  for (const RtnlLink& l : links.value()) {
    names[l.index] = l.name;
  }
  return names;
}

Result<std::vector<QdiscInfo>> QdiscsFromKernel(std::uint64_t* parse_errors) {
  tcmsg all{};
  Result<std::string> dump =
      DumpRtnl(RTM_GETQDISC, std::string_view(reinterpret_cast<const char*>(&all), sizeof(all)));
  if (!dump.ok()) {
    return dump.status();
  }
  Result<std::vector<QdiscInfo>> qdiscs = ParseQdiscDump(dump.value(), parse_errors);
  if (!qdiscs.ok()) {
    return qdiscs.status();
  }
  Result<std::unordered_map<std::uint32_t, std::string>> names = LinkNames(parse_errors);
  if (!names.ok()) {
    return names.status();
  }
  for (QdiscInfo& q : qdiscs.value()) {
    auto it = names.value().find(q.ifindex);
    q.iface_name = it == names.value().end() ? "" : it->second;
  }
  return qdiscs;
}

Result<std::vector<QdiscInfo>> QdiscsFromFixture(const ProcFs& fs, const std::string& dir) {
  const std::string path = ProcFs::Join(dir, "results.json");
  Result<std::string> text = fs.ReadFile(path);
  if (!text.ok()) {
    return Status::Error(text.status().message());  // a missing fixture is a broken test, not "no data"
  }
  ConfigDiagnostics diag(path);
  std::vector<QdiscInfo> out = ParseQdiscFixture(text.value(), &diag);
  if (!diag.ok()) {
    return Status::Error(diag.ToString());
  }
  return out;
}

class QdiscCollector : public Collector {
 public:
  QdiscCollector(const ProcFs& fs, std::string fixtures, DeviceFilter filter)
      : fs_(fs), fixtures_(std::move(fixtures)), filter_(std::move(filter)) {}

  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    Result<std::vector<QdiscInfo>> qdiscs = fixtures_.empty() ? QdiscsFromKernel(&errors)
                                                              : QdiscsFromFixture(fs_, fixtures_);
    sink.CountParseError(errors);
    if (!qdiscs.ok()) {
      return qdiscs.status();
    }
    for (const QdiscInfo& q : qdiscs.value()) {
      if (q.parent != 0 || filter_.Ignored(q.iface_name)) {
        continue;  // only root qdiscs, as node_exporter
      }
      const std::vector<std::string> labels = {q.iface_name, q.kind};
      sink.Add(kBytes, static_cast<double>(q.bytes), labels);
      sink.Add(kPackets, q.packets, labels);
      sink.Add(kDrops, q.drops, labels);
      sink.Add(kRequeues, q.requeues, labels);
      sink.Add(kOverlimits, q.overlimits, labels);
      sink.Add(kQlen, q.qlen, labels);
      sink.Add(kBacklog, q.backlog, labels);
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  const std::string fixtures_;
  const DeviceFilter filter_;
};

}  // namespace

Result<std::vector<QdiscInfo>> ParseQdiscDump(std::string_view bytes, std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(bytes);
  if (!messages.ok()) {
    return messages.status();
  }
  std::vector<QdiscInfo> out;
  for (const NetlinkMessage& m : messages.value()) {
    if (m.type != RTM_NEWQDISC) {
      continue;
    }
    QdiscInfo q;
    if (!ParseQdiscMessage(m.payload, q)) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(q));
  }
  return out;
}

std::vector<QdiscInfo> ParseQdiscFixture(std::string_view json, ConfigDiagnostics* diag) {
  std::vector<QdiscInfo> out;
  YAML::Node root = ParseJsonDocument(json, diag);
  if (!diag->ok() || root.IsNull()) {
    return out;
  }
  ConfigReader r(diag);
  r.Items(root, "", [&](const YAML::Node& item, const std::string& path) {
    QdiscInfo q;
    GoJsonObject(r, item, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      ApplyFixtureField(r, key, v, p, q);
    });
    out.push_back(std::move(q));
  });
  return out;
}

constexpr StringOption kFixtures{"qdisc", "fixtures", "", "test fixtures to use for qdisc collector end-to-end testing"};
constexpr RegexOption kDeviceInclude{"qdisc", "device-include", "",
                                     "Regexp of qdisc devices to include (mutually exclusive to device-exclude)."};
constexpr RegexOption kDeviceExclude{"qdisc", "device-exclude", "",
                                     "Regexp of qdisc devices to exclude (mutually exclusive to device-include)."};

CollectorSpec QdiscCollectorSpec() {
  return {"qdisc",
          false,
          "Exposes the root queueing discipline of each network device from rtnetlink (RTM_GETQDISC): "
          "node_qdisc_*.",
          {kFixtures.Spec(), kDeviceInclude.Spec(), kDeviceExclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> filter =
                MakeDeviceFilter({"device-exclude", "device-include", ""}, ctx.options.Get(kDeviceExclude),
                                 ctx.options.Get(kDeviceInclude));
            if (!filter.ok()) {
              return filter.status();
            }
            return CollectorPtr(
                std::make_unique<QdiscCollector>(ctx.fs, ctx.options.Get(kFixtures), std::move(filter.value())));
          }};
}

}  // namespace hostwatch
