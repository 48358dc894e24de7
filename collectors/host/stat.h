// stat collector: the kernel-wide counters of /proc/stat (man 5 proc):
// node_boot_time_seconds, node_context_switches_total, node_forks_total,
// node_intr_total, node_procs_running, node_procs_blocked, and with
// --collector.stat.softirq node_softirqs_total{vector}.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The non-per-CPU lines of /proc/stat that node_exporter exports.
struct ProcStatTotals {
  std::optional<double> boot_time;         // "btime", seconds since the epoch
  std::optional<double> context_switches;  // "ctxt"
  std::optional<double> interrupts;        // first field of "intr"
  std::optional<double> forks;             // "processes"
  std::optional<double> procs_running;     // "procs_running"
  std::optional<double> procs_blocked;     // "procs_blocked"
  // Per-vector counts of the "softirq" line (total first field dropped), in
  // kernel order: hi timer net_tx net_rx block block_iopoll tasklet sched hrtimer rcu.
  std::vector<double> softirqs;
};

// Parses the lines above from /proc/stat text; other lines (cpu*, page, ...)
// are ignored. A known line with an unparsable value is skipped and counted in
// *parse_errors.
ProcStatTotals ParseProcStatTotals(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec StatCollectorSpec();

}  // namespace hostwatch
