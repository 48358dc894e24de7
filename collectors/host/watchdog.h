// watchdog collector: node_watchdog_* from /sys/class/watchdog/<name>/ (the
// watchdog core's sysfs ABI), as node_exporter's watchdog collector exports
// them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The attributes of one watchdog device. An attribute the driver does not
// provide is nullopt: its numeric series is left out, its info label empty.
struct WatchdogDevice {
  std::string name;
  std::optional<std::int64_t> bootstatus, fw_version, nowayout, timeleft, timeout, pretimeout, access_cs0;
  std::optional<std::string> options, identity, state, status, pretimeout_governor;
};

// The attribute files of a watchdog device node_exporter reads.
const std::vector<std::string>& WatchdogAttributeFiles();

// Builds a device from its attribute files (file name -> content). Numbers
// parse like Go's ParseInt(s, 0, 64) after trimming white space; a value
// that does not parse is left out and counted in *parse_errors.
WatchdogDevice ParseWatchdogAttributes(std::string name, const std::map<std::string, std::string>& attrs,
                                       std::uint64_t* parse_errors);

CollectorSpec WatchdogCollectorSpec();

}  // namespace hostwatch
