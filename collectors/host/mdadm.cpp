#include "collectors/host/mdadm.h"

#include <re2/re2.h>

#include <algorithm>
#include <optional>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kState{"node_md_state", "Indicates the state of md-device.", MetricType::Gauge, {"device", "state"}};
const MetricDesc kDisks{
    "node_md_disks", "Number of active/failed/spare disks of device.", MetricType::Gauge, {"device", "state"}};
const MetricDesc kDisksRequired{
    "node_md_disks_required", "Total number of disks of device.", MetricType::Gauge, {"device"}};
const MetricDesc kBlocks{"node_md_blocks", "Total number of blocks on device.", MetricType::Gauge, {"device"}};
const MetricDesc kBlocksSynced{
    "node_md_blocks_synced", "Number of blocks synced on device.", MetricType::Gauge, {"device"}};
const MetricDesc kRaidDisks{"node_md_raid_disks", "Number of raid disks on device.", MetricType::Gauge, {"device"}};
const MetricDesc kDegraded{"node_md_degraded", "Number of degraded disks on device.", MetricType::Gauge, {"device"}};

// node_md_state's labels and the parser state each one reports. The parser
// says "resyncing"/"checking" where node_exporter's labels say
// "resync"/"check"; "reshaping" has no series in node_exporter.
struct StateLabel {
  const char* label;
  const char* state;
};
constexpr StateLabel kStateLabels[] = {{"active", "active"},
                                       {"inactive", "inactive"},
                                       {"recovering", "recovering"},
                                       {"resync", "resyncing"},
                                       {"check", "checking"}};

bool Contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

std::size_t Count(std::string_view s, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t pos = s.find(what); pos != std::string_view::npos; pos = s.find(what, pos + what.size())) {
    ++n;
  }
  return n;
}

// Fills disks_active, disks_total and blocks_total from the device line and
// the status line below it ("523968 blocks super 1.2 [4/4] [UUUU]"). False
// when the status line does not have the expected shape.
bool ParseStatusLine(std::string_view device_line, std::string_view status_line, MdStat* md) {
  std::vector<std::string_view> f = SplitFields(status_line);
  std::optional<std::int64_t> size = f.empty() ? std::nullopt : ParseInt(f[0]);
  if (!size) {
    return false;
  }
  md->blocks_total = static_cast<double>(*size);
  // raid0 and linear print no [n/m]; every member has a [k] on the device line.
  if (Contains(device_line, "raid0") || Contains(device_line, "linear")) {
    md->disks_total = md->disks_active = static_cast<double>(Count(device_line, "["));
    return true;
  }
  if (Contains(device_line, "inactive")) {
    return true;
  }
  static const RE2 kStatusRe(R"((\d+) blocks .*\[(\d+)/(\d+)\] \[[U_]+\])");
  std::int64_t blocks = 0, total = 0, active = 0;
  if (!RE2::PartialMatch(status_line, kStatusRe, &blocks, &total, &active)) {
    return false;
  }
  md->disks_total = static_cast<double>(total);
  md->disks_active = static_cast<double>(active);
  return true;
}

// Applies a sync line ("[=>...]  recovery =  8.5% (16775552/195310144) ...",
// "resync=PENDING") to state and blocks_synced. False when a running sync has
// no "(done/total)" part.
bool ParseSyncLine(std::string_view line, MdStat* md) {
  bool recovering = Contains(line, "recovery"), reshaping = Contains(line, "reshape"),
       resyncing = Contains(line, "resync"), checking = Contains(line, "check");
  if (!recovering && !reshaping && !resyncing && !checking) {
    return true;
  }
  md->state = recovering ? "recovering" : reshaping ? "reshaping" : checking ? "checking" : "resyncing";
  if (Contains(line, "PENDING") || Contains(line, "DELAYED")) {
    md->blocks_synced = 0;
    return true;
  }
  static const RE2 kBlocksRe(R"(\((\d+)/\d+\))");
  std::int64_t synced = 0;
  if (!RE2::PartialMatch(line, kBlocksRe, &synced)) {
    return false;
  }
  md->blocks_synced = static_cast<double>(synced);
  return true;
}

// The md device starting at lines[i], or nullopt when its lines are malformed.
std::optional<MdStat> ParseDevice(const std::vector<std::string_view>& lines, std::size_t i) {
  std::vector<std::string_view> f = SplitFields(lines[i]);
  if (f.size() < 3 || i + 1 >= lines.size()) {
    return std::nullopt;
  }
  MdStat md;
  md.name = std::string(f[0]);
  md.state = std::string(f[2]);
  md.disks_failed = static_cast<double>(Count(lines[i], "(F)"));
  md.disks_spare = static_cast<double>(Count(lines[i], "(S)"));
  if (!ParseStatusLine(lines[i], lines[i + 1], &md)) {
    return std::nullopt;
  }
  md.blocks_synced = md.blocks_total;
  std::size_t sync = i + 2;
  if (sync < lines.size() && Contains(lines[sync], "bitmap")) {
    ++sync;
  }
  if (sync < lines.size() && !ParseSyncLine(lines[sync], &md)) {
    return std::nullopt;
  }
  return md;
}

class MdadmCollector : public Collector {
 public:
  explicit MdadmCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("mdstat");
    if (!text.ok()) {
      return text.status();  // missing: md module not loaded, no data
    }
    std::uint64_t errors = 0;
    for (const MdStat& md : ParseMdstat(text.value(), &errors)) {
      AddMdStat(sink, md);
    }
    sink.CountParseError(errors);
    return AddSysfs(sink);
  }

 private:
  static void AddMdStat(MetricSink& sink, const MdStat& md) {
    sink.Add(kDisksRequired, md.disks_total, {md.name});
    sink.Add(kDisks, md.disks_active, {md.name, "active"});
    sink.Add(kDisks, md.disks_failed, {md.name, "failed"});
    sink.Add(kDisks, md.disks_spare, {md.name, "spare"});
    for (const StateLabel& s : kStateLabels) {
      sink.Add(kState, md.state == s.state ? 1 : 0, {md.name, s.label});
    }
    sink.Add(kBlocks, md.blocks_total, {md.name});
    sink.Add(kBlocksSynced, md.blocks_synced, {md.name});
  }

  // node_md_raid_disks and node_md_degraded for each /sys/block/md*/md.
  // raid0 arrays have no "degraded" attribute: node_exporter reports 0.
  Status AddSysfs(MetricSink& sink) {
    Result<std::vector<std::string>> devices = fs_.ListDir(fs_.SysPath("block"));
    if (!devices.ok()) {
      return devices.status().no_data() ? Status::OK() : devices.status();
    }
    for (const std::string& dev : devices.value()) {
      if (dev.rfind("md", 0) != 0) {
        continue;
      }
      std::string dir = fs_.SysPath("block/" + dev + "/md");
      Result<std::string> raid_disks = fs_.ReadAttribute(dir + "/raid_disks");
      if (!raid_disks.ok() && raid_disks.status().no_data()) {
        continue;  // not an md array (no md/ directory)
      }
      if (std::optional<double> v = raid_disks.ok() ? ParseUintValue(raid_disks.value()) : std::nullopt) {
        sink.Add(kRaidDisks, *v, {dev});
      } else {
        sink.CountParseError();
      }
      Result<std::string> degraded = fs_.ReadAttribute(dir + "/degraded");
      std::optional<double> d = 0.0;
      if (degraded.ok()) {
        d = ParseUintValue(degraded.value());
      } else if (!degraded.status().no_data()) {
        d.reset();
      }
      if (d) {
        sink.Add(kDegraded, *d, {dev});
      } else {
        sink.CountParseError();
      }
    }
    return Status::OK();
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

std::vector<MdStat> ParseMdstat(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<MdStat> out;
  std::vector<std::string_view> lines = SplitLines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    // Device sections start in column 0; their status and sync lines are
    // indented. "Personalities" and "unused devices" are general info.
    if (TrimSpace(line).empty() || line[0] == ' ' || line[0] == '\t' || line.rfind("Personalities", 0) == 0 ||
        line.rfind("unused", 0) == 0) {
      continue;
    }
    std::optional<MdStat> md = ParseDevice(lines, i);
    if (!md) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(*md));
  }
  return out;
}

CollectorSpec MdadmCollectorSpec() {
  return {"mdadm",
          true,
          "Exposes Linux software RAID state from /proc/mdstat and /sys/block/md*/md: node_md_state, "
          "node_md_disks, node_md_disks_required, node_md_blocks, node_md_blocks_synced, node_md_raid_disks, "
          "node_md_degraded.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<MdadmCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
