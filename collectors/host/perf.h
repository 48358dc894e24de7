// perf collector (off by default, as in node_exporter 1.12.1): system-wide
// hardware, software and cache event counts per CPU from perf_event_open(2),
// as node_perf_*_total{cpu}, and the tracepoints named by
// --collector.perf.tracepoint as node_perf_<subsystem>_<event>{cpu}.
//
// Which counters exist depends on the kernel and the machine: a VM usually
// has no PMU (no hardware or cache events), perf_event_paranoid > 0 refuses
// system-wide counting without CAP_PERFMON, and a seccomp filter may refuse
// the syscall. An event that cannot be opened is left out; when none can, the
// collector has no data (logged at debug), never an error. The counters are
// opened on the first scrape, not at startup, and kept open.
//
// The parts that need no kernel (flag parsing, event selection) are plain
// functions below, unit-tested on their own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

enum class PerfGroup { kHardware, kSoftware, kCache };

// One counter node_exporter exports: its family, perf-utils' profiler name
// (what --collector.perf.<group>-profilers takes) and the perf_event_attr
// type and config that count it.
struct PerfEvent {
  PerfGroup group;
  const char* profiler;  // "CpuCycles", "PageFault", "L1DataReadHit", ...
  const char* metric;    // "node_perf_cpucycles_total"
  const char* help;
  std::uint32_t type;  // PERF_TYPE_HARDWARE, PERF_TYPE_SOFTWARE, PERF_TYPE_HW_CACHE
  std::uint64_t config;
};

// Every counter, in node_exporter's order (hardware, software, cache).
const std::vector<PerfEvent>& PerfEvents();

// --collector.perf.cpus: "" means every CPU; otherwise node_exporter's
// syntax, comma-separated CPUs and ranges with an optional stride: "0,2-4",
// "1-10:5" (1, 6). Error on anything else.
Result<std::vector<int>> ParsePerfCpus(std::string_view flag);

// One --collector.perf.tracepoint entry, "subsystem:event".
struct PerfTracepoint {
  std::string subsystem;  // "sched"
  std::string event;      // "sched_switch"
};

// The tracepoints of the flag: entries separated by spaces (node_exporter
// repeats the flag instead). Error when one is not "name:name" of letters,
// digits and underscores (they become part of a metric name).
Result<std::vector<PerfTracepoint>> ParsePerfTracepoints(std::string_view flag);

// The flags that choose counters.
struct PerfSelectionFlags {
  bool disable_hardware = false, disable_software = false, disable_cache = false;
  std::string hardware, software, cache;  // profiler names separated by spaces; "" means all
};

// The counters the flags select, in PerfEvents() order. Error when a
// profiler name is unknown to its group (the message lists the known ones).
Result<std::vector<const PerfEvent*>> SelectPerfEvents(const PerfSelectionFlags& flags);

CollectorSpec PerfCollectorSpec();

}  // namespace hostwatch
