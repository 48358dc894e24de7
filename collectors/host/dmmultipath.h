// dmmultipath collector: device-mapper multipath devices from /sys/block/dm-*
// (those whose dm/uuid starts with "mpath-") and the state of each of their
// paths (/sys/block/<slave>/device/state), as node_dmmultipath_*, with
// node_exporter's names and labels. Without /sys/block there is no data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The raw attribute files of one /sys/block/dm-N directory.
struct DmMultipathFiles {
  std::string uuid;       // dm/uuid
  std::string name;       // dm/name
  std::string suspended;  // dm/suspended: 0 or 1
  std::string size;       // size, in 512-byte sectors
  std::vector<std::pair<std::string, std::string>> path_states;  // slaves/<dev> -> device/state
};

struct DmMultipathPath {
  std::string device;  // "sdi"
  std::string state;   // "running", "offline", NVMe "live", ...
};

struct DmMultipathDevice {
  std::string name;        // "mpathA"
  std::string sysfs_name;  // "dm-5"
  std::string uuid;
  bool suspended = false;
  double size_bytes = 0;
  std::vector<DmMultipathPath> paths;
};

// True for the two path states node_exporter counts as active: SCSI "running"
// and NVMe "live".
bool IsDmMultipathPathActive(std::string_view state);

// A multipath device from its files; nullopt when the uuid is not a multipath
// one (LVM, crypt, ... dm devices), or when suspended or size is not a number
// (counted in *parse_errors).
std::optional<DmMultipathDevice> ParseDmMultipathDevice(std::string_view sysfs_name, const DmMultipathFiles& files,
                                                        std::uint64_t* parse_errors);

CollectorSpec DmmultipathCollectorSpec();

}  // namespace hostwatch
