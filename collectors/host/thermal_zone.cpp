#include "collectors/host/thermal_zone.h"

#include <cerrno>
#include <charconv>
#include <vector>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kZoneTemp{"node_thermal_zone_temp", "Zone temperature in Celsius", MetricType::Gauge,
                           {"zone", "type"}};
const MetricDesc kCurState{"node_cooling_device_cur_state", "Current throttle state of the cooling device",
                           MetricType::Gauge, {"name", "type"}};
const MetricDesc kMaxState{"node_cooling_device_max_state", "Maximum throttle state of the cooling device",
                           MetricType::Gauge, {"name", "type"}};

// The names filepath.Glob("<dir>/<prefix>[0-9]*") matches, in its (sorted) order.
std::vector<std::string> GlobNumbered(const std::vector<std::string>& names, std::string_view prefix) {
  std::vector<std::string> out;
  for (const std::string& n : names) {
    if (n.size() > prefix.size() && n.starts_with(prefix) && n[prefix.size()] >= '0' && n[prefix.size()] <= '9') {
      out.push_back(n);
    }
  }
  return out;
}

// procfs's canIgnoreError: a cooling device whose files answer with one of
// these is skipped; any other failure fails the whole list.
bool IgnorableForCoolingDevice(const Status& s) {
  const int e = s.sys_errno();
  return e == ENOENT || e == EACCES || e == EPERM || e == EOPNOTSUPP || e == EINVAL;
}

class ThermalZoneCollector : public Collector {
 public:
  explicit ThermalZoneCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    const std::string class_path = fs_.SysPath("class/thermal");
    // Like filepath.Glob, a missing or unreadable directory matches nothing:
    // upstream then succeeds with no series (a VM has no thermal zones).
    Result<std::vector<std::string>> listed = fs_.ListDir(class_path);
    const std::vector<std::string> names = listed.ok() ? listed.value() : std::vector<std::string>{};
    for (const std::string& name : GlobNumbered(names, "thermal_zone")) {
      const std::string dir = class_path + "/" + name;
      ThermalZone z = ParseThermalZone(name.substr(std::string_view("thermal_zone").size()), Read(dir + "/type"),
                                       Read(dir + "/temp"));
      if (!z.complete) {
        sink.CountParseError();  // exported all the same, as 1.12.1 does (see thermal_zone.h)
      }
      sink.Add(kZoneTemp, static_cast<double>(z.millicelsius) / 1000.0, {z.zone, z.type});
    }
    std::vector<CoolingDevice> devices;
    for (const std::string& name : GlobNumbered(names, "cooling_device")) {
      Status s = ReadCoolingDevice(class_path + "/" + name, name.substr(std::string_view("cooling_device").size()),
                                   &devices);
      if (!s.ok()) {
        // procfs returns no device at all then; the zones above stay.
        return s;
      }
    }
    for (const CoolingDevice& d : devices) {
      sink.Add(kCurState, static_cast<double>(d.cur_state), {d.name, d.type});
      sink.Add(kMaxState, static_cast<double>(d.max_state), {d.name, d.type});
    }
    return Status::OK();
  }

 private:
  std::optional<std::string> Read(const std::string& path) const {
    Result<std::string> r = fs_.ReadFile(path);
    return r.ok() ? std::optional(std::move(r).value()) : std::nullopt;
  }

  // Appends the device in dir to *devices, skips it when a file answers with
  // an ignorable error, and fails on any other read error or a state that is
  // not a number, checking in procfs's order (type, max_state, cur_state).
  Status ReadCoolingDevice(const std::string& dir, std::string name, std::vector<CoolingDevice>* devices) const {
    std::string values[3];
    const char* files[3] = {"type", "max_state", "cur_state"};
    for (int i = 0; i < 3; ++i) {
      Result<std::string> r = fs_.ReadFile(dir + "/" + files[i]);
      if (!r.ok()) {
        return IgnorableForCoolingDevice(r.status()) ? Status::OK() : Status::Error(r.status().message());
      }
      values[i] = std::string(ThermalAttributeValue(r.value()));
      if (i > 0 && !ParseGoInt64(values[i]).ok) {
        return Status::Error(dir + "/" + files[i] + ": not an integer: \"" + values[i] + "\"");
      }
    }
    devices->push_back(*ParseCoolingDevice(std::move(name), values[0], values[1], values[2]));
    return Status::OK();
  }

  const ProcFs& fs_;
};

}  // namespace

std::string_view ThermalAttributeValue(std::string_view raw) {
  return TrimSpace(raw.substr(0, kThermalMaxValueBytes));
}

GoInt64 ParseGoInt64(std::string_view s) {
  std::string_view digits = s;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    digits.remove_prefix(1);
  }
  std::uint64_t magnitude = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (digits.empty() || p != digits.data() + digits.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return {0, false};
  }
  const std::uint64_t limit = negative ? static_cast<std::uint64_t>(INT64_MAX) + 1 : INT64_MAX;
  if (ec == std::errc::result_out_of_range || magnitude > limit) {
    return {negative ? INT64_MIN : INT64_MAX, false};  // Go's ErrRange value
  }
  return {negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude), true};
}

ThermalZone ParseThermalZone(std::string zone, const std::optional<std::string>& type,
                             const std::optional<std::string>& temp) {
  ThermalZone z;
  z.zone = std::move(zone);
  z.type = type ? std::string(ThermalAttributeValue(*type)) : "";
  GoInt64 t = temp ? ParseGoInt64(ThermalAttributeValue(*temp)) : GoInt64{};
  z.millicelsius = t.value;
  z.complete = type && t.ok;
  return z;
}

std::optional<CoolingDevice> ParseCoolingDevice(std::string name, std::string_view type, std::string_view max_state,
                                                std::string_view cur_state) {
  GoInt64 max = ParseGoInt64(ThermalAttributeValue(max_state));
  GoInt64 cur = ParseGoInt64(ThermalAttributeValue(cur_state));
  if (!max.ok || !cur.ok) {
    return std::nullopt;
  }
  return CoolingDevice{std::move(name), std::string(ThermalAttributeValue(type)), max.value, cur.value};
}

CollectorSpec ThermalZoneCollectorSpec() {
  return {"thermal_zone",
          true,
          "Exposes thermal zone temperatures and cooling device states (/sys/class/thermal): "
          "node_thermal_zone_temp, node_cooling_device_cur_state, node_cooling_device_max_state",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<ThermalZoneCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
