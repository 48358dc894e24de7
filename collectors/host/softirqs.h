// softirqs collector (off by default, as in node_exporter): per-CPU softirq
// counts from /proc/softirqs as node_softirqs_functions_total{cpu,type}.
// (The stat collector's node_softirqs_total is the per-vector total of /proc/stat.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One row of /proc/softirqs, such as "NET_RX:  43066  104508".
struct SoftirqRow {
  std::string type;  // "NET_RX"
  std::vector<double> per_cpu;
};

// Parses /proc/softirqs after its CPU header, keeping the ten vectors
// node_exporter knows (HI TIMER NET_TX NET_RX BLOCK IRQ_POLL TASKLET SCHED
// HRTIMER RCU) in file order; other rows are ignored. A known row with a
// count that is not a number is skipped and counted in *parse_errors.
std::vector<SoftirqRow> ParseSoftirqs(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec SoftirqsCollectorSpec();

}  // namespace hostwatch
