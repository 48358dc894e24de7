// buddyinfo collector: free memory blocks per NUMA node, zone and order from
// /proc/buddyinfo as node_buddyinfo_blocks{node,zone,size}, as node_exporter exports them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One line of buddyinfo: "Node 0, zone   Normal  4381 1093 ...".
struct BuddyZone {
  std::string node;           // "0"
  std::string zone;           // "Normal"
  std::vector<double> sizes;  // free blocks of 2^i pages, i = index
};

// Parses buddyinfo. A line with fewer than 4 fields, a non-number count, or a
// count of columns that differs from the first line's (procfs rejects the file
// then) is skipped and counted in *parse_errors.
std::vector<BuddyZone> ParseBuddyinfo(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec BuddyinfoCollectorSpec();

}  // namespace hostwatch
