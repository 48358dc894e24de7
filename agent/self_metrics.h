// Self metrics: what the agent costs and which build it is.
//   hostwatch_build_info{version,revision,branch,compiler} 1
//   process_cpu_seconds_total, process_resident_memory_bytes,
//   process_virtual_memory_bytes, process_virtual_memory_max_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds, process_threads
// Read from the real /proc/self (not --path.procfs, which may be a fixture
// tree), with the Prometheus client libraries' names and HELP texts.
// Stateless apart from a ProcFs; thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/proc_fs.h"
#include "collectors/status.h"

namespace hostwatch {

// The fields of /proc/<pid>/stat we use (man 5 proc, fields 14, 15, 20, 22, 23, 24).
struct ProcSelfStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::int64_t num_threads = 0;
  std::uint64_t start_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};

// Parses /proc/<pid>/stat. The command name (field 2) may contain spaces and
// parentheses, so fields are counted from the last ')'.
Result<ProcSelfStat> ParseProcPidStat(std::string_view text);

// Parses "btime <seconds>" from /proc/stat.
Result<std::uint64_t> ParseBootTime(std::string_view proc_stat);

class SelfMetrics {
 public:
  SelfMetrics();
  void Collect(std::vector<prometheus::MetricFamily>* out) const;

 private:
  ProcFs proc_;  // always the real /proc
  double start_time_seconds_ = 0;
};

}  // namespace hostwatch
