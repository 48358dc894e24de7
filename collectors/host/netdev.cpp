#include "collectors/host/netdev.h"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/netlink_dump.h"
#include "collectors/core/parse_util.h"
#include "collectors/host/netdev_address.h"

namespace hostwatch {
namespace {

constexpr std::array<std::string_view, kNetDevStatCount> kStatNames = {"receive_bytes",
                                                                       "receive_packets",
                                                                       "receive_errors",
                                                                       "receive_dropped",
                                                                       "receive_fifo",
                                                                       "receive_frame",
                                                                       "receive_compressed",
                                                                       "receive_multicast",
                                                                       "transmit_bytes",
                                                                       "transmit_packets",
                                                                       "transmit_errors",
                                                                       "transmit_dropped",
                                                                       "transmit_fifo",
                                                                       "transmit_colls",
                                                                       "transmit_carrier",
                                                                       "transmit_compressed",
                                                                       "multicast",
                                                                       "collisions",
                                                                       "receive_length_errors",
                                                                       "receive_over_errors",
                                                                       "receive_crc_errors",
                                                                       "receive_frame_errors",
                                                                       "receive_fifo_errors",
                                                                       "receive_missed_errors",
                                                                       "transmit_aborted_errors",
                                                                       "transmit_carrier_errors",
                                                                       "transmit_fifo_errors",
                                                                       "transmit_heartbeat_errors",
                                                                       "transmit_window_errors",
                                                                       "receive_nohandler",
                                                                       "receive_errs",
                                                                       "receive_drop",
                                                                       "transmit_errs",
                                                                       "transmit_drop"};

// One family per key, labelled {device} or, with label-ifalias, {device, ifalias}.
std::vector<MetricDesc> NetDevDescs(bool ifalias) {
  std::vector<MetricDesc> out;
  for (std::string_view stat : kStatNames) {
    std::vector<std::string> labels = {"device"};
    if (ifalias) {
      labels.emplace_back("ifalias");
    }
    out.push_back({"node_network_" + std::string(stat) + "_total",
                   "Network device statistic " + std::string(stat) + ".", MetricType::Counter, std::move(labels)});
  }
  return out;
}
const std::vector<MetricDesc> kStatDescs = NetDevDescs(false);
const std::vector<MetricDesc> kStatAliasDescs = NetDevDescs(true);
const MetricDesc kAddressInfo{"node_network_address_info",
                              "node network address by device",
                              MetricType::Gauge,
                              {"device", "address", "netmask", "scope"}};

// node_exporter's keys of rtnetlink's 64-bit statistics
// (include/uapi/linux/if_link.h, struct rtnl_link_stats64).
NetDevStats NetlinkStats(const rtnl_link_stats64& s) {
  NetDevStats m{};
  const std::pair<NetDevStat, std::uint64_t> keys[] = {
      {kReceivePackets, s.rx_packets},
      {kTransmitPackets, s.tx_packets},
      {kReceiveBytes, s.rx_bytes},
      {kTransmitBytes, s.tx_bytes},
      {kReceiveErrors, s.rx_errors},
      {kTransmitErrors, s.tx_errors},
      {kReceiveDropped, s.rx_dropped},
      {kTransmitDropped, s.tx_dropped},
      {kMulticast, s.multicast},
      {kCollisions, s.collisions},
      {kReceiveLengthErrors, s.rx_length_errors},
      {kReceiveOverErrors, s.rx_over_errors},
      {kReceiveCrcErrors, s.rx_crc_errors},
      {kReceiveFrameErrors, s.rx_frame_errors},
      {kReceiveFifoErrors, s.rx_fifo_errors},
      {kReceiveMissedErrors, s.rx_missed_errors},
      {kTransmitAbortedErrors, s.tx_aborted_errors},
      {kTransmitCarrierErrors, s.tx_carrier_errors},
      {kTransmitFifoErrors, s.tx_fifo_errors},
      {kTransmitHeartbeatErrors, s.tx_heartbeat_errors},
      {kTransmitWindowErrors, s.tx_window_errors},
      {kReceiveCompressed, s.rx_compressed},
      {kTransmitCompressed, s.tx_compressed},
      {kReceiveNohandler, s.rx_nohandler},
  };
  for (const auto& [k, v] : keys) {
    m[k] = v;
  }
  return m;
}

struct NetdevSettings {
  DeviceFilter filter;
  bool netlink = true;
  bool detailed = false;       // --collector.netdev.enable-detailed-metrics
  bool label_ifalias = false;  // --collector.netdev.label-ifalias
  bool address_info = false;   // --collector.netdev.address-info
};

class NetdevCollector : public Collector {
 public:
  NetdevCollector(const ProcFs& fs, NetdevSettings settings) : fs_(fs), settings_(std::move(settings)) {}

  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    Result<std::vector<NetDevLine>> devices = settings_.netlink ? FromNetlink(&errors) : FromProc(&errors);
    sink.CountParseError(errors);
    if (!devices.ok()) {
      return devices.status();
    }
    std::optional<DirHandle> class_net;
    if (settings_.label_ifalias) {
      // node_exporter fails the scrape when it cannot list <sysfs>/class/net for the labels.
      Result<DirHandle> dir = fs_.OpenDir(fs_.SysPath("class/net"));
      if (!dir.ok()) {
        return dir.status();
      }
      class_net = std::move(dir).value();
    }
    for (NetDevLine& dev : devices.value()) {
      if (settings_.filter.Ignored(dev.device)) {
        continue;
      }
      if (!settings_.detailed) {
        FoldLegacyNetDevStats(dev.stats);
      }
      std::string alias = class_net ? IfAlias(*class_net, dev.device) : std::string();
      for (std::size_t k = 0; k < dev.stats.size(); ++k) {
        if (!dev.stats[k]) {
          continue;
        }
        const double v = static_cast<double>(*dev.stats[k]);
        class_net ? sink.Add(kStatAliasDescs[k], v, {dev.device, alias}) : sink.Add(kStatDescs[k], v, {dev.device});
      }
    }
    return settings_.address_info ? AddAddresses(sink) : Status::OK();
  }

 private:
  Result<std::vector<NetDevLine>> FromProc(std::uint64_t* errors) {
    Result<std::string> text = files_.ReadProc("net/dev");
    if (!text.ok()) {
      return text.status();
    }
    return ParseNetDev(text.value(), errors);
  }

  static Result<std::vector<NetDevLine>> FromNetlink(std::uint64_t* errors) {
    Result<std::string> dump = DumpRtnlLinks();
    if (!dump.ok()) {
      return dump.status();
    }
    return ParseRtnlLinkDump(dump.value(), errors);
  }

  // The interface's alias; "" when it has none or the file cannot be read (node_exporter
  // ignores a missing or unreadable attribute the same way).
  static std::string IfAlias(const DirHandle& class_net, const std::string& device) {
    Result<std::string> v = class_net.ReadAttribute(device + "/ifalias");
    return v.ok() ? std::string(TrimSpace(v.value())) : std::string();
  }

  // node_network_address_info of every interface the device filter keeps.
  Status AddAddresses(MetricSink& sink) const {
    std::uint64_t errors = 0;
    Result<std::string> links = DumpRtnlLinks();
    Result<std::map<int, std::string>> names =
        links.ok() ? ParseRtnlLinkNames(links.value(), &errors) : Result<std::map<int, std::string>>(links.status());
    Result<std::string> dump = names.ok() ? DumpRtnlAddresses() : Result<std::string>(names.status());
    Result<std::vector<NetAddressInfo>> addrs = dump.ok() ? ParseRtnlAddresses(dump.value(), names.value(), &errors)
                                                          : Result<std::vector<NetAddressInfo>>(dump.status());
    sink.CountParseError(errors);
    if (!addrs.ok()) {
      return addrs.status();
    }
    for (const NetAddressInfo& a : addrs.value()) {
      if (!settings_.filter.Ignored(a.device)) {
        sink.Add(kAddressInfo, 1, {a.device, a.address, a.netmask, a.scope});
      }
    }
    return Status::OK();
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const NetdevSettings settings_;
};

}  // namespace

std::vector<NetDevLine> ParseNetDev(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<NetDevLine> out;
  std::vector<std::string_view> lines = SplitLines(text);
  // The first two lines are the column headers (man 5 proc, /proc/net/dev).
  for (std::size_t n = 2; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (TrimSpace(line).empty()) {
      continue;
    }
    // The counters contain no ':', the name may ("eth0:1" aliases on old kernels).
    std::size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      ++*parse_errors;
      continue;
    }
    NetDevLine dev;
    dev.device = std::string(TrimSpace(line.substr(0, colon)));
    std::vector<std::string_view> f = SplitFields(line.substr(colon + 1));
    bool ok = !dev.device.empty() && f.size() == kTransmitCompressed + 1;
    for (std::size_t i = 0; ok && i < f.size(); ++i) {
      dev.stats[i] = ParseUint(f[i]);  // the columns are keys 0..15, in order
      ok = dev.stats[i].has_value();
    }
    if (!ok) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(dev));
  }
  return out;
}

std::string_view NetDevStatName(NetDevStat stat) { return kStatNames[stat]; }

void FoldLegacyNetDevStats(NetDevStats& m) {
  // pop/popz as in node_exporter's netdev_common.go: the added keys go only with their main key.
  auto pop = [&](NetDevStat k) {
    std::optional<std::uint64_t> v = m[k];
    m[k].reset();
    return v;
  };
  auto popz = [&](NetDevStat k) { return pop(k).value_or(0); };
  auto rename = [&](NetDevStat from, NetDevStat to) {
    if (std::optional<std::uint64_t> v = pop(from)) {
      m[to] = *v;
    }
  };
  rename(kReceiveErrors, kReceiveErrs);
  if (std::optional<std::uint64_t> v = pop(kReceiveDropped)) {
    m[kReceiveDrop] = *v + popz(kReceiveMissedErrors);
  }
  rename(kReceiveFifoErrors, kReceiveFifo);
  if (std::optional<std::uint64_t> v = pop(kReceiveFrameErrors)) {
    m[kReceiveFrame] = *v + popz(kReceiveLengthErrors) + popz(kReceiveOverErrors) + popz(kReceiveCrcErrors);
  }
  rename(kMulticast, kReceiveMulticast);
  rename(kTransmitErrors, kTransmitErrs);
  rename(kTransmitDropped, kTransmitDrop);
  rename(kTransmitFifoErrors, kTransmitFifo);
  rename(kCollisions, kTransmitColls);
  if (std::optional<std::uint64_t> v = pop(kTransmitCarrierErrors)) {
    m[kTransmitCarrier] =
        *v + popz(kTransmitAbortedErrors) + popz(kTransmitHeartbeatErrors) + popz(kTransmitWindowErrors);
  }
}

Result<std::vector<NetDevLine>> ParseRtnlLinkDump(std::string_view bytes, std::uint64_t* parse_errors) {
  std::vector<NetDevLine> out;
  std::size_t off = 0;
  while (off + sizeof(nlmsghdr) <= bytes.size()) {
    nlmsghdr h;
    std::memcpy(&h, bytes.data() + off, sizeof(h));
    if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > bytes.size()) {
      ++*parse_errors;  // truncated: nothing after it can be trusted
      break;
    }
    if (h.nlmsg_type == NLMSG_ERROR) {
      nlmsgerr err{};
      std::memcpy(&err, bytes.data() + off + NLMSG_HDRLEN,
                  std::min<std::size_t>(sizeof(err), h.nlmsg_len - std::min<std::size_t>(h.nlmsg_len, NLMSG_HDRLEN)));
      if (err.error != 0) {  // 0 is an acknowledgement, not an error
        return Status::FromErrno(-err.error, "netlink RTM_GETLINK");
      }
    }
    if (h.nlmsg_type == RTM_NEWLINK) {
      std::size_t attr_off = off + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
      const std::size_t end = off + h.nlmsg_len;
      std::string name;
      rtnl_link_stats64 stats{};
      bool have_stats = false;
      while (attr_off + sizeof(rtattr) <= end) {
        rtattr a;
        std::memcpy(&a, bytes.data() + attr_off, sizeof(a));
        if (a.rta_len < sizeof(rtattr) || attr_off + a.rta_len > end) {
          break;
        }
        const char* payload = bytes.data() + attr_off + RTA_LENGTH(0);
        std::size_t payload_len = a.rta_len - RTA_LENGTH(0);
        if (a.rta_type == IFLA_IFNAME) {
          name.assign(payload, strnlen(payload, payload_len));
        } else if (a.rta_type == IFLA_STATS64) {
          // Older kernels send a shorter struct (no rx_nohandler before 4.6).
          std::memcpy(&stats, payload, std::min(payload_len, sizeof(stats)));
          // Every field up to rx_nohandler must be there; a missing rx_nohandler stays 0.
          have_stats = payload_len >= offsetof(rtnl_link_stats64, rx_nohandler);
        }
        attr_off += RTA_ALIGN(a.rta_len);
      }
      if (name.empty() || !have_stats) {
        ++*parse_errors;
      } else {
        out.push_back({std::move(name), NetlinkStats(stats)});
      }
    }
    if (h.nlmsg_type == NLMSG_DONE) {
      break;
    }
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  return out;
}

constexpr BoolOption kNetlink{"netdev", "netlink", true, "Use netlink to gather stats instead of /proc/net/dev."};
constexpr RegexOption kDeviceExclude{"netdev", "device-exclude", "",
                                     "Regexp of net devices to exclude (mutually exclusive to device-include)."};
constexpr RegexOption kDeviceInclude{"netdev", "device-include", "",
                                     "Regexp of net devices to include (mutually exclusive to device-exclude)."};
constexpr BoolOption kAddressInfoOption{"netdev", "address-info", false, "Collect address-info for every device"};
constexpr BoolOption kDetailedMetrics{"netdev", "enable-detailed-metrics", false,
                                      "Use (incompatible) metric names that provide more detailed stats on Linux"};
constexpr BoolOption kLabelIfAlias{"netdev", "label-ifalias", false, "Add ifAlias label"};

CollectorSpec NetdevCollectorSpec() {
  return {
      "netdev",
      true,
      "Exposes network interface statistics (rtnetlink, or /proc/net/dev): "
      "node_network_{receive,transmit}_*_total.",
      {kNetlink.Spec(), kDeviceExclude.Spec(), kDeviceInclude.Spec(), kAddressInfoOption.Spec(),
       kDetailedMetrics.Spec(), kLabelIfAlias.Spec()},
      [](const CollectorContext& ctx) -> Result<CollectorPtr> {
        Result<DeviceFilter> filter = MakeDeviceFilter(
            {"device-exclude", "device-include", ""}, ctx.options.Get(kDeviceExclude), ctx.options.Get(kDeviceInclude));
        if (!filter.ok()) {
          return filter.status();
        }
        NetdevSettings settings{std::move(filter).value(), ctx.options.Get(kNetlink), ctx.options.Get(kDetailedMetrics),
                                ctx.options.Get(kLabelIfAlias), ctx.options.Get(kAddressInfoOption)};
        return CollectorPtr(std::make_unique<NetdevCollector>(ctx.fs, std::move(settings)));
      }};
}

}  // namespace hostwatch
