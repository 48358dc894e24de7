// slabinfo collector: kernel slab cache sizes from /proc/slabinfo as
// node_slabinfo_*{slab}, as node_exporter exports them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The columns node_exporter exports of one slabinfo 2.1 line.
struct Slab {
  std::string name;
  double active_objects = 0, objects = 0, object_size = 0, objects_per_slab = 0, pages_per_slab = 0;
};

// Parses slabinfo 2.1 (the "slabinfo -" version line and the "# name" header are
// skipped). A line that does not have the 16 fields of version 2.1 or has a
// non-integer column is skipped and counted in *parse_errors.
std::vector<Slab> ParseSlabinfo(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec SlabinfoCollectorSpec();

}  // namespace hostwatch
