// processes collector (off by default, as in node_exporter): process and
// thread counts by state from /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat,
// and the kernel's limits from /proc/sys/kernel/{threads-max,pid_max}:
// node_processes_{pids,threads,state,threads_state,max_processes,max_threads}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// The two fields of /proc/<pid>/stat the collector uses.
struct PidStat {
  std::string state;         // "S", "R", "I", ... (field 3)
  std::int64_t threads = 0;  // num_threads (field 20)
};

// Parses one /proc/<pid>/stat. The command name may hold spaces and ')', so
// the fields are counted from the last ')'. nullopt when that is missing,
// fewer than 18 fields follow it or num_threads is not an integer.
std::optional<PidStat> ParsePidStat(std::string_view text);

CollectorSpec ProcessesCollectorSpec();

}  // namespace hostwatch
