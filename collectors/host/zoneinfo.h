// zoneinfo collector: per NUMA node and memory zone page counts, watermarks and
// allocation counters from /proc/zoneinfo as node_zoneinfo_*{node,zone}, as
// node_exporter exports them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One "Node N, zone NAME" block of zoneinfo.
struct ZoneinfoZone {
  std::string node;
  std::string zone;
  // The values of the keys node_exporter exports ("nr_free_pages", "min", ...) found
  // in the block (a key seen twice: the last value, as procfs keeps it). A zone only
  // reports what its block has: per-node stats sit in each node's first zone.
  std::map<std::string, double, std::less<>> values;
  std::vector<double> protection;  // "protection: (0, 2039, ...)"; empty when absent or bad
};

// Parses zoneinfo. Blocks start at lines beginning "Node"; a block without its
// "N, zone NAME" header, or a value of an exported key that is not an integer, is
// counted in *parse_errors (the block, resp. the key, is then left out, as
// procfs leaves an unparsable value unset).
std::vector<ZoneinfoZone> ParseZoneinfo(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec ZoneinfoCollectorSpec();

}  // namespace hostwatch
