// The hwmon collector: reads /sys/class/hwmon/* and the device directory
// behind each chip, names the chips and emits what hwmon_parse.cpp makes of
// their sensor files (see hwmon.h).
#include "collectors/host/hwmon.h"

#include <climits>
#include <cstdlib>
#include <set>

#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// node_exporter's flags, help texts as upstream writes them. Upstream does not
// enforce the "mutually exclusive" its help text announces: both apply.
constexpr RegexOption kChipInclude{"hwmon", "chip-include", "",
                                   "Regexp of hwmon chip to include (mutually exclusive to device-exclude)."};
constexpr RegexOption kChipExclude{"hwmon", "chip-exclude", "",
                                   "Regexp of hwmon chip to exclude (mutually exclusive to device-include)."};
constexpr RegexOption kSensorInclude{"hwmon", "sensor-include", "",
                                     "Regexp of hwmon sensor to include (mutually exclusive to sensor-exclude)."};
constexpr RegexOption kSensorExclude{"hwmon", "sensor-exclude", "",
                                     "Regexp of hwmon sensor to exclude (mutually exclusive to sensor-include)."};

const std::vector<std::string> kSensorLabels = {"chip", "sensor"};
const std::vector<std::string> kSensorLabelLabels = {"chip", "sensor", "label"};
const std::vector<std::string> kChipNameLabels = {"chip", "chip_name"};

// Go's filepath.EvalSymlinks: path with every symbolic link resolved, or
// nullopt when a component is missing. Resolves names only; opens no file.
std::optional<std::string> ResolvePath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    return std::nullopt;
  }
  return std::string(resolved);
}

// Adds one scrape's hwmon samples to the sink under the rules of Go's
// registry, which node_exporter's output follows: a metric name keeps the
// HELP text, type and label names it was first seen with, and a sample that
// disagrees, or repeats a series already added, is dropped (and counted).
// Metric names come from file names here, so two chips can spell the same
// name differently (in0 with only "in0_input" vs. only "in0").
class HwmonEmitter {
 public:
  explicit HwmonEmitter(MetricSink& sink) : sink_(sink) {}

  void Emit(const HwmonSample& s, const std::vector<std::string>& label_names) {
    auto [it, inserted] = descs_.try_emplace(s.name, MetricDesc{s.name, s.help, s.type, label_names});
    const MetricDesc& desc = it->second;
    std::string key = s.name;
    for (const std::string& v : s.label_values) {
      key += std::to_string(v.size()) + ":" + v;  // length-prefixed: values may hold any byte
    }
    if ((!inserted && (desc.help != s.help || desc.type != s.type || desc.label_names != label_names)) ||
        !series_.insert(std::move(key)).second) {
      sink_.CountParseError();
      return;
    }
    sink_.Add(desc, s.value, s.label_values);
  }

 private:
  MetricSink& sink_;
  std::map<std::string, MetricDesc> descs_;  // node-based: the sink keeps pointers to these
  std::set<std::string> series_;
};

// One /sys/class/hwmon entry that is a directory and could be named.
struct Chip {
  DirHandle dir;
  std::optional<std::string> name_file;
};

class HwmonCollector : public Collector {
 public:
  HwmonCollector(const ProcFs& fs, DeviceFilter chips, DeviceFilter sensors)
      : fs_(fs), chip_filter_(std::move(chips)), sensor_filter_(std::move(sensors)) {}

  Status Collect(MetricSink& sink) override {
    const std::string class_path = fs_.SysPath("class/hwmon");
    Result<DirHandle> class_dir = fs_.OpenDir(class_path);
    if (!class_dir.ok()) {
      return class_dir.status();  // no /sys/class/hwmon: NoData, node_exporter's ErrNoData
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    std::vector<Chip> chips;
    std::vector<HwmonChipEntry> entries;
    Status last_error;
    for (const std::string& name : names.value()) {
      Result<DirHandle> dir = class_dir.value().OpenDir(name);
      if (!dir.ok()) {
        // Not a directory, or a dangling link: node_exporter skips it too.
        if (!dir.status().no_data()) {
          last_error = dir.status();
        }
        continue;
      }
      const std::string path = class_path + "/" + name;
      Result<std::string> name_file = dir.value().ReadFile("name");
      HwmonChipFacts facts{ResolvePath(path + "/device"), name_file.ok() ? std::optional(name_file.value()) : std::nullopt,
                           ResolvePath(path)};
      std::optional<std::string> base = HwmonBaseName(facts);
      if (!base) {
        continue;  // upstream logs this at debug and goes on
      }
      entries.push_back({name, *base, name_file.ok() ? std::string(TrimSpace(name_file.value())) : ""});
      chips.push_back({std::move(dir).value(), std::move(facts.name_file)});
    }
    const std::vector<std::string> labels = HwmonChipLabels(entries);
    HwmonEmitter emitter(sink);
    for (std::size_t i = 0; i < chips.size(); ++i) {
      // The filter sees the final label, so a pattern matches what the metrics show.
      if (chip_filter_.Ignored(labels[i])) {
        continue;
      }
      if (Status s = CollectChip(chips[i], labels[i], emitter, sink); !s.ok()) {
        last_error = s;
      }
    }
    return last_error;
  }

 private:
  Status CollectChip(const Chip& chip, const std::string& label, HwmonEmitter& emitter, MetricSink& sink) const {
    HwmonSensors sensors;
    if (Status s = ReadSensorFiles(chip.dir, &sensors); !s.ok()) {
      return s;
    }
    // Older drivers keep their attributes in the device's own directory.
    if (chip.dir.StatFile("device").ok()) {
      Result<DirHandle> device = chip.dir.OpenDir("device");
      if (!device.ok()) {
        return Status::Error(device.status().message());
      }
      if (Status s = ReadSensorFiles(device.value(), &sensors); !s.ok()) {
        return s;
      }
    }
    if (std::optional<std::string> human = HwmonHumanName(chip.name_file)) {
      emitter.Emit({"node_hwmon_chip_names", "Annotation metric for human-readable chip names", MetricType::Gauge, 1,
                    {label, *human}},
                   kChipNameLabels);
    }
    std::uint64_t parse_errors = 0;
    for (const auto& [sensor, props] : sensors) {
      // "<chip>;<sensor>", so that one pattern can pick a sensor of one chip.
      if (sensor_filter_.Ignored(label + ";" + sensor)) {
        continue;
      }
      for (const HwmonSample& s : HwmonSensorSamples(label, sensor, props, &parse_errors)) {
        emitter.Emit(s, s.label_values.size() == 3 ? kSensorLabelLabels : kSensorLabels);
      }
    }
    sink.CountParseError(parse_errors);
    return Status::OK();
  }

  // Reads every sensor attribute file of dir into *sensors. A file that
  // cannot be read (a driver answering EAGAIN or EIO, a subdirectory named
  // like a sensor such as device/power) is left out, as upstream leaves it out.
  static Status ReadSensorFiles(const DirHandle& dir, HwmonSensors* sensors) {
    Result<std::vector<std::string>> files = dir.List();
    if (!files.ok()) {
      return Status::Error(files.status().message());
    }
    for (const std::string& name : files.value()) {
      std::optional<HwmonSensorFile> file = ParseHwmonSensorFile(name);
      if (!file) {
        continue;
      }
      if (Result<std::string> raw = dir.ReadFile(name); raw.ok()) {
        AddHwmonValue(*file, raw.value(), sensors);
      }
    }
    return Status::OK();
  }

  const ProcFs& fs_;
  const DeviceFilter chip_filter_;
  const DeviceFilter sensor_filter_;
};

}  // namespace

CollectorSpec HwmonCollectorSpec() {
  return {"hwmon",
          true,
          "Exposes hardware monitoring chips (/sys/class/hwmon): node_hwmon_temp_celsius, node_hwmon_fan_rpm, "
          "node_hwmon_in_volts, node_hwmon_power_*, node_hwmon_chip_names, node_hwmon_sensor_label, ...",
          {kChipExclude.Spec(), kChipInclude.Spec(), kSensorExclude.Spec(), kSensorInclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> chips = DeviceFilter::Make(ctx.options.Get(kChipExclude), ctx.options.Get(kChipInclude));
            if (!chips.ok()) {
              return chips.status();
            }
            Result<DeviceFilter> sensors =
                DeviceFilter::Make(ctx.options.Get(kSensorExclude), ctx.options.Get(kSensorInclude));
            if (!sensors.ok()) {
              return sensors.status();
            }
            return CollectorPtr(
                std::make_unique<HwmonCollector>(ctx.fs, std::move(chips).value(), std::move(sensors).value()));
          }};
}

}  // namespace hostwatch
