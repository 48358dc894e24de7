#include "collectors/host/watchdog.h"

#include <cerrno>
#include <memory>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kNameLabel = {"name"};

MetricDesc ValueDesc(const std::string& metric, const std::string& file) {
  return {"node_watchdog_" + metric, "Value of /sys/class/watchdog/<watchdog>/" + file, MetricType::Gauge, kNameLabel};
}

// Numeric attributes: file, exported metric and the field holding the value.
struct NumericAttribute {
  std::string file;
  MetricDesc desc;
  std::optional<std::int64_t> WatchdogDevice::*field;
};
const std::vector<NumericAttribute> kNumeric = {
    {"access_cs0", ValueDesc("access_cs0", "access_cs0"), &WatchdogDevice::access_cs0},
    {"bootstatus", ValueDesc("bootstatus", "bootstatus"), &WatchdogDevice::bootstatus},
    {"fw_version", ValueDesc("fw_version", "fw_version"), &WatchdogDevice::fw_version},
    {"nowayout", ValueDesc("nowayout", "nowayout"), &WatchdogDevice::nowayout},
    {"pretimeout", ValueDesc("pretimeout_seconds", "pretimeout"), &WatchdogDevice::pretimeout},
    {"timeleft", ValueDesc("timeleft_seconds", "timeleft"), &WatchdogDevice::timeleft},
    {"timeout", ValueDesc("timeout_seconds", "timeout"), &WatchdogDevice::timeout},
};
const std::map<std::string, std::optional<std::string> WatchdogDevice::*, std::less<>> kStrings = {
    {"identity", &WatchdogDevice::identity},
    {"options", &WatchdogDevice::options},
    {"pretimeout_governor", &WatchdogDevice::pretimeout_governor},
    {"state", &WatchdogDevice::state},
    {"status", &WatchdogDevice::status},
};

const MetricDesc kInfo{"node_watchdog_info",
                       "Info of /sys/class/watchdog/<watchdog>",
                       MetricType::Gauge,
                       {"name", "options", "identity", "state", "status", "pretimeout_governor"}};

class WatchdogCollector : public Collector {
 public:
  explicit WatchdogCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/watchdog"));
    if (!class_dir.ok()) {
      return class_dir.status();
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // node_exporter reads the whole class before it exports anything: one
    // unreadable attribute fails the scrape and no device is exported.
    std::vector<WatchdogDevice> devices;
    for (const std::string& name : names.value()) {
      Result<DirHandle> dir = class_dir.value().OpenDir(name);
      if (!dir.ok()) {
        continue;  // not a device directory
      }
      Result<std::map<std::string, std::string>> attrs = ReadAttributes(dir.value());
      if (!attrs.ok()) {
        return attrs.status();
      }
      std::uint64_t errors = 0;
      devices.push_back(ParseWatchdogAttributes(name, attrs.value(), &errors));
      sink.CountParseError(errors);
    }
    for (const WatchdogDevice& d : devices) {
      Add(d, sink);
    }
    return Status::OK();
  }

 private:
  static void Add(const WatchdogDevice& d, MetricSink& sink) {
    for (const NumericAttribute& a : kNumeric) {
      if (const std::optional<std::int64_t>& v = d.*a.field) {
        sink.Add(a.desc, static_cast<double>(*v), {d.name});
      }
    }
    sink.Add(kInfo, 1,
             {d.name, d.options.value_or(""), d.identity.value_or(""), d.state.value_or(""), d.status.value_or(""),
              d.pretimeout_governor.value_or("")});
  }

  // A missing attribute is left out. Permission denied or EINVAL (a driver
  // that rejects the read) make the scrape "no data" as in node_exporter;
  // other failures are errors.
  static Result<std::map<std::string, std::string>> ReadAttributes(const DirHandle& dir) {
    std::map<std::string, std::string> attrs;
    for (const std::string& file : WatchdogAttributeFiles()) {
      Result<std::string> v = dir.ReadAttribute(file);
      if (v.ok()) {
        attrs.emplace(file, std::move(v).value());
      } else if (v.status().sys_errno() == EACCES || v.status().sys_errno() == EPERM ||
                 v.status().sys_errno() == EINVAL) {
        return Status::NoData("watchdog attribute not readable: " + v.status().message(), v.status().sys_errno());
      } else if (!v.status().no_data()) {
        return v.status();
      }
    }
    return attrs;
  }

  const ProcFs& fs_;
};

}  // namespace

const std::vector<std::string>& WatchdogAttributeFiles() {
  static const std::vector<std::string> kFiles = [] {
    std::vector<std::string> files;
    for (const NumericAttribute& a : kNumeric) {
      files.push_back(a.file);
    }
    for (const auto& [file, field] : kStrings) {
      files.push_back(file);
    }
    return files;
  }();
  return kFiles;
}

WatchdogDevice ParseWatchdogAttributes(std::string name, const std::map<std::string, std::string>& attrs,
                                       std::uint64_t* parse_errors) {
  WatchdogDevice d;
  d.name = std::move(name);
  for (const NumericAttribute& a : kNumeric) {
    if (auto it = attrs.find(a.file); it != attrs.end()) {
      d.*a.field = ParseGoInt(TrimSpace(it->second));
      *parse_errors += (d.*a.field).has_value() ? 0 : 1;
    }
  }
  for (const auto& [file, field] : kStrings) {
    if (auto it = attrs.find(file); it != attrs.end()) {
      d.*field = std::string(TrimSpace(it->second));
    }
  }
  return d;
}

CollectorSpec WatchdogCollectorSpec() {
  return {"watchdog",
          true,
          "Exposes watchdog device state (/sys/class/watchdog): node_watchdog_{bootstatus,fw_version,nowayout,"
          "access_cs0}, node_watchdog_{timeleft,timeout,pretimeout}_seconds, node_watchdog_info.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<WatchdogCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
