// cpufreq collector: per-CPU frequency scaling from sysfs
// devices/system/cpu/cpuN/cpufreq/ (Documentation/admin-guide/pm/cpufreq.rst),
// as node_exporter 1.12.1 exports it (procfs SystemCpufreq):
//   node_cpu_frequency_{hertz,avg_hertz,min_hertz,max_hertz}{cpu}   cpuinfo_{cur,avg,min,max}_freq
//   node_cpu_scaling_frequency_{hertz,min_hertz,max_hertz}{cpu}     scaling_{cur,min,max}_freq
//   node_cpu_scaling_governor{cpu,governor}                         1 for scaling_governor, 0 for the
//                                                                   other scaling_available_governors
// The kernel gives kHz; the families are in Hz (* 1000). Each frequency file is
// optional: a missing one, or one the agent may not read (cpuinfo_cur_freq is
// mode 0400 root), leaves out its series. scaling_available_governors,
// scaling_driver, scaling_governor, related_cpus and scaling_setspeed must be
// readable, as upstream requires. CPUs listed in devices/system/cpu/offline are
// skipped. No cpufreq directory on any CPU (VMs, containers): NoData.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One CPU's cpufreq directory; frequencies in kHz as the kernel writes them.
struct CpufreqCpu {
  std::string cpu;  // "3" for cpu3
  std::optional<std::uint64_t> cpuinfo_cur_khz, cpuinfo_avg_khz, cpuinfo_min_khz, cpuinfo_max_khz;
  std::optional<std::uint64_t> scaling_cur_khz, scaling_min_khz, scaling_max_khz;
  std::string governor;             // scaling_governor
  std::string available_governors;  // scaling_available_governors
};

// The content of one frequency file ("1699981\n") as kHz; nullopt unless it is
// one unsigned decimal number (surrounding whitespace allowed).
std::optional<std::uint64_t> ParseCpufreqKhz(std::string_view text);

// node_cpu_scaling_governor's series for one CPU: each name of `available`
// split at single spaces (as upstream splits it), with whether it is
// `governor`. Empty when `governor` is empty.
std::vector<std::pair<std::string, bool>> GovernorStates(std::string_view governor, std::string_view available);

CollectorSpec CpufreqCollectorSpec();

}  // namespace hostwatch
