// time collector: node_time_seconds (wall clock, ns precision),
// node_time_zone_offset_seconds{time_zone} (local zone from the process's TZ),
// and from sysfs devices/system/clocksource/clocksource<N>/:
// node_time_clocksource_available_info{clocksource,device} and
// node_time_clocksource_current_info{clocksource,device}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The local time zone's abbreviation ("UTC", "CET") and offset from UTC at
// the given time (localtime_r).
struct ZoneOffset {
  std::string name;
  double offset_seconds = 0;
};
ZoneOffset LocalZoneOffset(double unix_seconds);

// Splits an available_clocksource / current_clocksource file into names.
std::vector<std::string> ParseClocksources(std::string_view text);

CollectorSpec TimeCollectorSpec();

}  // namespace hostwatch
