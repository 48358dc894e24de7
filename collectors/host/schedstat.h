// schedstat collector: per-CPU scheduler statistics from /proc/schedstat
// (kernels with CONFIG_SCHEDSTATS; elsewhere "no data", as in node_exporter):
// node_schedstat_{running_seconds,waiting_seconds,timeslices}_total{cpu}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The last three numbers of a "cpuN" line (Documentation/scheduler/sched-stats.rst).
struct SchedstatCpu {
  std::string cpu;  // "0"
  std::uint64_t running_ns = 0;
  std::uint64_t waiting_ns = 0;
  std::uint64_t timeslices = 0;
};

// Parses /proc/schedstat. Lines other than "cpuN" (version, timestamp,
// domainN) are ignored; a cpuN line without nine numbers after it is skipped
// and counted in *parse_errors.
std::vector<SchedstatCpu> ParseSchedstat(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec SchedstatCollectorSpec();

}  // namespace hostwatch
