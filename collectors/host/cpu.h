// cpu collector: node_cpu_seconds_total{cpu,mode} and
// node_cpu_guest_seconds_total{cpu,mode} from the per-CPU lines of /proc/stat
// (man 5 proc, parsed by collectors/core/proc_stat.h), in seconds (ticks / USER_HZ), never going backwards; and from
// sysfs devices/system/cpu/ (Documentation/ABI/testing/sysfs-devices-system-cpu):
// node_cpu_core_throttles_total{core,package}, node_cpu_package_throttles_total{package}
// (thermal_throttle/*_throttle_count, read once per core / package),
// node_cpu_isolated{cpu} (the "isolated" CPU list) and node_cpu_online{cpu}
// (cpuN/online; skipped when cpu0 has no online file, as node_exporter does).
// With --collector.cpu.info, from /proc/cpuinfo: node_cpu_info{...},
// node_cpu_frequency_hertz{package,core,cpu}, and node_cpu_flag_info{flag} /
// node_cpu_bug_info{bug} for the first CPU's flags/bugs matching
// --collector.cpu.info.flags-include / bugs-include (setting either implies info).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"
#include "collectors/core/proc_stat.h"

namespace hostwatch {

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

// Parses a kernel CPU list such as "1,3-5,9" (cpulist format) into CPU
// numbers in order. Empty text is an empty list; anything malformed is an Error.
Result<std::vector<int>> ParseCpuList(std::string_view text);

// The "cpuN" directories under sysfs devices/system/cpu (not cpufreq, cpuidle,
// vulnerabilities), sorted by name; empty when the directory cannot be listed.
std::vector<std::string> ListSysCpuDirs(const ProcFs& fs);

// Topology and throttle counters of one CPU directory in sysfs.
struct CpuThrottleInfo {
  std::uint64_t package = 0;
  std::uint64_t core = 0;
  std::optional<std::uint64_t> core_throttles;     // thermal_throttle/core_throttle_count
  std::optional<std::uint64_t> package_throttles;  // thermal_throttle/package_throttle_count
};

// Throttle counts keyed the way they are exported: one per (package, core) and
// one per package, each taken from the first CPU (in the given order) that has it.
struct ThrottleCounts {
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> core;  // (package, core) -> count
  std::map<std::uint64_t, std::uint64_t> package;
};
ThrottleCounts AggregateThrottles(const std::vector<CpuThrottleInfo>& cpus);

// One "processor" block of /proc/cpuinfo (x86 field names; absent fields are empty).
struct CpuInfoEntry {
  int processor = 0;
  std::string vendor, family, model, model_name, stepping, microcode, cache_size, physical_id, core_id;
  std::optional<double> mhz;  // "cpu MHz"
  std::vector<std::string> flags, bugs;
};

// Parses /proc/cpuinfo into one entry per "processor : N" block. Lines before
// the first processor line are ignored; a line without ':' or a bad processor
// number / MHz value is skipped and counted in *parse_errors.
std::vector<CpuInfoEntry> ParseCpuinfo(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec CpuCollectorSpec();

}  // namespace hostwatch
