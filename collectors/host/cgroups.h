// cgroups collector (off by default): the per-controller summary of
// /proc/cgroups as node_cgroups_cgroups and node_cgroups_enabled, as
// node_exporter exports it. Kernels without /proc/cgroups give no data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One controller line of /proc/cgroups.
struct CgroupSummary {
  std::string subsys_name;
  std::int64_t hierarchy = 0;
  std::int64_t cgroups = 0;
  std::int64_t enabled = 0;
};

// Parses /proc/cgroups ("#subsys_name hierarchy num_cgroups enabled" header,
// then one line per controller). A line with fewer than 4 fields or a
// non-integer column is skipped and counted in *parse_errors.
std::vector<CgroupSummary> ParseCgroupSummaries(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec CgroupsCollectorSpec();

}  // namespace hostwatch
