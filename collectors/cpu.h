// cpu collector: node_cpu_seconds_total{cpu,mode} and
// node_cpu_guest_seconds_total{cpu,mode} from the per-CPU lines of /proc/stat
// (man 5 proc), in seconds (ticks / USER_HZ), never going backwards.
#pragma once

#include <map>
#include <string_view>
#include <vector>

#include "collector.h"

namespace hostwatch {

// Times of one CPU in seconds, in /proc/stat column order.
struct CpuTimes {
  int cpu = 0;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  double guest = 0, guest_nice = 0;
};

// Parses the "cpuN ..." lines of /proc/stat (the aggregate "cpu" line is
// skipped). A malformed cpu line is skipped and counted in *parse_errors.
std::vector<CpuTimes> ParseProcStatCpus(std::string_view text, std::uint64_t* parse_errors);

// Keeps per-CPU counters monotonic across scrapes, the way node_exporter does:
// a value that goes backwards keeps the previous value, and an idle drop of 3 s
// or more means the CPU was hot-plugged, so its history is reset.
class CpuCounterGuard {
 public:
  // Returns the values to export for this scrape.
  std::vector<CpuTimes> Update(const std::vector<CpuTimes>& fresh);

 private:
  std::map<int, CpuTimes> last_;
};

CollectorSpec CpuCollectorSpec();

}  // namespace hostwatch
