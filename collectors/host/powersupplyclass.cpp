#include "collectors/host/powersupplyclass.h"

#include <algorithm>
#include <cerrno>
#include <memory>

#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// A numeric attribute: its file, the metric suffix and the divisor that
// turns the kernel's unit into the exported one.
struct Numeric {
  std::string_view file;
  std::string_view metric;
  double divisor;
};
constexpr double kMicro = 1e6;  // µA, µV, µW, µWh, µAh
constexpr double kDeci = 10.0;  // tenths of a degree Celsius
const std::vector<Numeric> kNumeric = {
    {"authentic", "authentic", 1},
    {"calibrate", "calibrate", 1},
    {"capacity", "capacity", 1},
    {"capacity_alert_max", "capacity_alert_max", 1},
    {"capacity_alert_min", "capacity_alert_min", 1},
    {"cycle_count", "cyclecount", 1},
    {"online", "online", 1},
    {"present", "present", 1},
    {"time_to_empty_now", "time_to_empty_seconds", 1},
    {"time_to_full_now", "time_to_full_seconds", 1},
    {"current_boot", "current_boot", kMicro},
    {"current_max", "current_max", kMicro},
    {"current_now", "current_ampere", kMicro},
    {"energy_empty", "energy_empty", kMicro},
    {"energy_empty_design", "energy_empty_design", kMicro},
    {"energy_full", "energy_full", kMicro},
    {"energy_full_design", "energy_full_design", kMicro},
    {"energy_now", "energy_watthour", kMicro},
    {"voltage_boot", "voltage_boot", kMicro},
    {"voltage_max", "voltage_max", kMicro},
    {"voltage_max_design", "voltage_max_design", kMicro},
    {"voltage_min", "voltage_min", kMicro},
    {"voltage_min_design", "voltage_min_design", kMicro},
    {"voltage_now", "voltage_volt", kMicro},
    {"voltage_ocv", "voltage_ocv", kMicro},
    {"charge_control_limit", "charge_control_limit", kMicro},
    {"charge_control_limit_max", "charge_control_limit_max", kMicro},
    {"charge_counter", "charge_counter", kMicro},
    {"charge_empty", "charge_empty", kMicro},
    {"charge_empty_design", "charge_empty_design", kMicro},
    {"charge_full", "charge_full", kMicro},
    {"charge_full_design", "charge_full_design", kMicro},
    {"charge_now", "charge_ampere", kMicro},
    {"charge_term_current", "charge_term_current", kMicro},
    {"constant_charge_current", "constant_charge_current", kMicro},
    {"constant_charge_current_max", "constant_charge_current_max", kMicro},
    {"constant_charge_voltage", "constant_charge_voltage", kMicro},
    {"constant_charge_voltage_max", "constant_charge_voltage_max", kMicro},
    {"precharge_current", "precharge_current", kMicro},
    {"input_current_limit", "input_current_limit", kMicro},
    {"power_now", "power_watt", kMicro},
    {"temp", "temp_celsius", kDeci},
    {"temp_alert_max", "temp_alert_max_celsius", kDeci},
    {"temp_alert_min", "temp_alert_min_celsius", kDeci},
    {"temp_ambient", "temp_ambient_celsius", kDeci},
    {"temp_ambient_max", "temp_ambient_max_celsius", kDeci},
    {"temp_ambient_min", "temp_ambient_min_celsius", kDeci},
    {"temp_max", "temp_max_celsius", kDeci},
    {"temp_min", "temp_min_celsius", kDeci},
};
// String attributes exported as node_power_supply_info labels (file = label).
const std::vector<std::string_view> kStrings = {"capacity_level", "charge_type", "health",        "manufacturer",
                                                "model_name",     "scope",       "serial_number", "status",
                                                "technology",     "type",        "usb_type"};

const std::string kInfoName = "node_power_supply_info";
const std::string kInfoHelp = "info of /sys/class/power_supply/<power_supply>.";

// The per-metric descriptions, built once (the sink keys families by description).
const std::map<std::string, MetricDesc, std::less<>>& ValueDescs() {
  static const std::map<std::string, MetricDesc, std::less<>> kDescs = [] {
    std::map<std::string, MetricDesc, std::less<>> descs;
    for (const Numeric& n : kNumeric) {
      std::string metric(n.metric);
      descs.emplace(metric, MetricDesc{"node_power_supply_" + metric,
                                       metric + " value of /sys/class/power_supply/<power_supply>.",
                                       MetricType::Gauge,
                                       {"power_supply"}});
    }
    return descs;
  }();
  return kDescs;
}

// Read failures node_exporter skips: the attribute is not there, or the
// driver cannot answer it now (a battery that is not present gives ENODEV,
// some ACPI attributes EINVAL or ENOTSUP).
bool SkippedReadError(const Status& s) {
  const int e = s.sys_errno();
  return s.no_data() || e == ENODEV || e == EINVAL || e == ENOTSUP || e == EISDIR;
}

class PowerSupplyClassCollector : public Collector {
 public:
  PowerSupplyClassCollector(const ProcFs& fs, DeviceFilter ignored) : fs_(fs), ignored_(std::move(ignored)) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/power_supply"));
    Result<std::vector<std::string>> names =
        class_dir.ok() ? class_dir.value().List() : Result<std::vector<std::string>>(class_dir.status());
    if (!names.ok()) {
      return names.status();
    }
    // node_exporter reads the whole class before it exports anything: one
    // unreadable attribute fails the scrape and no supply is exported.
    std::vector<PowerSupply> supplies;
    for (const std::string& name : names.value()) {
      Result<DirHandle> dir = class_dir.value().OpenDir(name);
      if (ignored_.Ignored(name) || !dir.ok()) {
        continue;
      }
      // Listing the directory first costs one getdents instead of a failed
      // open for each of the ~60 attributes a supply usually lacks.
      Result<std::vector<std::string>> files = dir.value().List();
      if (!files.ok()) {
        return files.status();
      }
      std::map<std::string, std::string> attrs;
      for (const std::string& file : files.value()) {
        if (!std::binary_search(PowerSupplyAttributeFiles().begin(), PowerSupplyAttributeFiles().end(), file)) {
          continue;
        }
        Result<std::string> v = dir.value().ReadAttribute(file);
        if (v.ok()) {
          attrs.emplace(file, std::move(v).value());
        } else if (!SkippedReadError(v.status())) {
          return Status::Error("could not get power_supply class info: " + v.status().message());
        }
      }
      std::uint64_t errors = 0;
      supplies.push_back(ParsePowerSupplyAttributes(name, attrs, &errors));
      sink.CountParseError(errors);
    }
    for (const PowerSupply& s : supplies) {
      for (const auto& [metric, value] : s.values) {
        sink.Add(ValueDescs().find(metric)->second, value, {s.name});
      }
      AddInfoSample(sink, kInfoName, kInfoHelp, s.info);
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  const DeviceFilter ignored_;
};

}  // namespace

const std::vector<std::string>& PowerSupplyAttributeFiles() {
  static const std::vector<std::string> kFiles = [] {
    std::vector<std::string> files;
    for (const Numeric& n : kNumeric) {
      files.emplace_back(n.file);
    }
    for (std::string_view s : kStrings) {
      files.emplace_back(s);
    }
    std::sort(files.begin(), files.end());
    return files;
  }();
  return kFiles;
}

PowerSupply ParsePowerSupplyAttributes(std::string name, const std::map<std::string, std::string>& attrs,
                                       std::uint64_t* parse_errors) {
  PowerSupply ps;
  for (const Numeric& n : kNumeric) {
    if (auto it = attrs.find(std::string(n.file)); it != attrs.end()) {
      if (std::optional<std::int64_t> v = ParseGoInt(TrimSpace(it->second))) {
        ps.values.emplace(std::string(n.metric), static_cast<double>(*v) / n.divisor);
      } else {
        ++*parse_errors;
      }
    }
  }
  std::map<std::string, std::string> labels = {{"power_supply", name}};
  for (std::string_view s : kStrings) {
    if (auto it = attrs.find(std::string(s)); it != attrs.end() && !TrimSpace(it->second).empty()) {
      labels.emplace(std::string(s), ToValidUtf8(TrimSpace(it->second)));
    }
  }
  ps.info.assign(labels.begin(), labels.end());
  ps.name = std::move(name);
  return ps;
}

constexpr RegexOption kIgnoredSupplies{"powersupplyclass", "ignored-supplies", "^$",
                                       "Regexp of power supplies to ignore for powersupplyclass collector."};

CollectorSpec PowersupplyclassCollectorSpec() {
  return {"powersupplyclass",
          true,
          "Exposes power supply state (/sys/class/power_supply): node_power_supply_{online,capacity,"
          "voltage_volt,power_watt,...}, node_power_supply_info{status,technology,type,...}.",
          {kIgnoredSupplies.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> ignored = DeviceFilter::Make(ctx.options.Get(kIgnoredSupplies), "");
            if (!ignored.ok()) {
              return ignored.status();
            }
            return CollectorPtr(std::make_unique<PowerSupplyClassCollector>(ctx.fs, std::move(ignored).value()));
          }};
}

}  // namespace hostwatch
