// /proc/stat (man 5 proc), parsed once for everyone who needs it: the cpu
// collector (per-CPU times), the stat collector (kernel-wide counters) and the
// agent's self metrics (btime, for process_start_time_seconds). Not to be
// confused with /proc/<pid>/stat, a different file (agent/self_metrics.h).
//
// Pure functions on a string_view: no I/O, no locale, no shared state, so any
// thread may call them concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace hostwatch {

// Times of one CPU in seconds (ticks / USER_HZ), in /proc/stat column order.
struct CpuTimes {
  int cpu = 0;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  double guest = 0, guest_nice = 0;
};

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

struct ProcStat {
  // The "cpuN ..." lines in file order; the aggregate "cpu" line is not one.
  std::vector<CpuTimes> cpus;
  ProcStatTotals totals;
  // Malformed lines are skipped and counted here by the part they belong to,
  // so that each user counts only the lines it exports: a cpuN line with a bad
  // index or number or fewer than 8 times; a known totals line with a missing
  // or bad value.
  std::uint64_t cpu_parse_errors = 0;
  std::uint64_t totals_parse_errors = 0;
};

// Which lines ParseProcStat parses. Each collector reads the file on its own
// scrape and wants only its part: the cpu collector the cpuN lines (hundreds
// on a big host), the stat collector and self metrics the totals; the lines
// of the other part are skipped after their key, and not counted as errors.
enum class ProcStatParts { kCpus, kTotals, kAll };

// Parses /proc/stat text in one pass. Lines it does not know (page, swap,
// "cpuX", ...) are ignored; a known line that appears twice keeps the last.
ProcStat ParseProcStat(std::string_view text, ProcStatParts parts = ProcStatParts::kAll);

}  // namespace hostwatch
