// powersupplyclass collector: node_power_supply_* from
// /sys/class/power_supply/<supply>/ (the power supply class's sysfs ABI), as
// node_exporter's powersupplyclass collector exports them, with
// --collector.powersupply.ignored-supplies.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "collectors/core/collector.h"
#include "collectors/host/dmi.h"  // InfoLabels

namespace hostwatch {

// One power supply as node_exporter exports it.
struct PowerSupply {
  std::string name;
  // metric suffix ("capacity", "voltage_volt", ...) -> value already scaled
  // to the exported unit (µV, µA, µW, µWh -> V, A, W, Wh; tenths of a °C -> °C).
  std::map<std::string, double> values;
  // node_power_supply_info's labels, sorted by name, power_supply included;
  // a string attribute that is missing or empty is left out.
  InfoLabels info;
};

// The attribute files node_exporter exports, sorted.
const std::vector<std::string>& PowerSupplyAttributeFiles();

// Builds a supply from its attribute files (file name -> content). Numbers
// parse like Go's ParseInt(s, 0, 64) after trimming white space; a value
// that does not parse is left out and counted in *parse_errors.
PowerSupply ParsePowerSupplyAttributes(std::string name, const std::map<std::string, std::string>& attrs,
                                       std::uint64_t* parse_errors);

CollectorSpec PowersupplyclassCollectorSpec();

}  // namespace hostwatch
