// thermal_zone collector: node_thermal_zone_temp{zone,type} from
// /sys/class/thermal/thermal_zone*, node_cooling_device_{cur,max}_state{name,type}
// from /sys/class/thermal/cooling_device* (Documentation/driver-api/thermal/sysfs-api.rst),
// as node_exporter 1.12.1 exports them through prometheus/procfs 0.21.1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// How much of an attribute procfs looks at: one read() of this size.
constexpr std::size_t kThermalMaxValueBytes = 128;

// procfs's SysReadFile on content already read: at most
// kThermalMaxValueBytes bytes, surrounding whitespace trimmed.
std::string_view ThermalAttributeValue(std::string_view raw);

// Go's strconv.ParseInt(s, 10, 64). A number out of range gives the nearest
// int64 with ok false, as Go returns it; anything else not a number gives 0.
struct GoInt64 {
  std::int64_t value = 0;
  bool ok = false;
};
GoInt64 ParseGoInt64(std::string_view s);

// One thermal zone. procfs 0.21.1 keeps a zone whose type or temp cannot be
// read (the read errors are collected in the zone and node_exporter ignores
// them): the type is then "" and the temperature 0.
struct ThermalZone {
  std::string zone;                 // "0" from thermal_zone0
  std::string type;                 // "acpitz", "x86_pkg_temp", ...
  std::int64_t millicelsius = 0;    // temp
  bool complete = false;            // type and temp both read and parsed
};

// Builds a zone from the raw contents of its type and temp files (nullopt:
// the read failed).
ThermalZone ParseThermalZone(std::string zone, const std::optional<std::string>& type,
                             const std::optional<std::string>& temp);

// One cooling device; its three files are all required.
struct CoolingDevice {
  std::string name;  // "0" from cooling_device0
  std::string type;  // "Processor", "Fan", "intel_powerclamp", ...
  std::int64_t max_state = 0;
  std::int64_t cur_state = 0;  // -1 for intel_powerclamp when idle injection is off
};

// Builds a device from the raw contents of type, max_state and cur_state;
// nullopt when a state is not a base-10 int64 (procfs then fails the whole
// list of devices, see thermal_zone.cpp).
std::optional<CoolingDevice> ParseCoolingDevice(std::string name, std::string_view type, std::string_view max_state,
                                                std::string_view cur_state);

CollectorSpec ThermalZoneCollectorSpec();

}  // namespace hostwatch
