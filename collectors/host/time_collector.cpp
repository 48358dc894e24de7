#include "collectors/host/time_collector.h"

#include <ctime>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

const MetricDesc kTimeSeconds{"node_time_seconds", "System time in seconds since epoch (1970).", MetricType::Gauge, {}};
const MetricDesc kZoneOffset{
    "node_time_zone_offset_seconds", "System time zone offset in seconds.", MetricType::Gauge, {"time_zone"}};
const MetricDesc kClocksourceAvailable{"node_time_clocksource_available_info",
                                       "Available clocksources read from '/sys/devices/system/clocksource'.",
                                       MetricType::Gauge,
                                       {"device", "clocksource"}};
const MetricDesc kClocksourceCurrent{"node_time_clocksource_current_info",
                                     "Current clocksource read from '/sys/devices/system/clocksource'.",
                                     MetricType::Gauge,
                                     {"device", "clocksource"}};

constexpr std::string_view kClocksourceDir = "devices/system/clocksource";
constexpr std::string_view kClocksourcePrefix = "clocksource";

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    double now = WallClockSeconds();
    sink.Add(kTimeSeconds, now);
    ZoneOffset zone = LocalZoneOffset(now);
    sink.Add(kZoneOffset, zone.offset_seconds, {zone.name});
    return AddClocksources(sink);
  }

 private:
  // Clocksource info is optional (containers may hide it): a missing
  // directory just means no such families.
  Status AddClocksources(MetricSink& sink) {
    Result<std::vector<std::string>> entries = fs_.ListDir(fs_.SysPath(kClocksourceDir));
    if (!entries.ok()) {
      return entries.status().no_data() ? Status::OK() : entries.status();
    }
    for (const std::string& entry : entries.value()) {
      if (entry.substr(0, kClocksourcePrefix.size()) != kClocksourcePrefix ||
          !ParseUint(std::string_view(entry).substr(kClocksourcePrefix.size()))) {
        continue;
      }
      std::string device = entry.substr(kClocksourcePrefix.size());
      std::string base = std::string(kClocksourceDir) + "/" + entry + "/";
      AddNames(sink, kClocksourceAvailable, device, sys_files_.ReadFile(fs_.SysPath(base + "available_clocksource")));
      AddNames(sink, kClocksourceCurrent, device, sys_files_.ReadFile(fs_.SysPath(base + "current_clocksource")));
    }
    return Status::OK();
  }

  static void AddNames(MetricSink& sink, const MetricDesc& desc, const std::string& device,
                       const Result<std::string>& text) {
    if (!text.ok()) {
      return;
    }
    for (const std::string& name : ParseClocksources(text.value())) {
      sink.Add(desc, 1, {device, name});
    }
  }

  const ProcFs& fs_;
  CachedFiles sys_files_{fs_};  // clocksource attributes re-read through kept descriptors
};

}  // namespace

ZoneOffset LocalZoneOffset(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  struct tm local {};
  if (::localtime_r(&t, &local) == nullptr) {
    return {"UTC", 0};
  }
  return {local.tm_zone != nullptr ? local.tm_zone : "", static_cast<double>(local.tm_gmtoff)};
}

std::vector<std::string> ParseClocksources(std::string_view text) {
  std::vector<std::string> names;
  for (std::string_view f : SplitFields(TrimSpace(text))) {
    names.emplace_back(f);
  }
  return names;
}

CollectorSpec TimeCollectorSpec() {
  return {"time",
          true,
          "Exposes the current system time and zone offset, and the kernel clocksources from sysfs: "
          "node_time_seconds, node_time_zone_offset_seconds, node_time_clocksource_*_info.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<TimeCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
