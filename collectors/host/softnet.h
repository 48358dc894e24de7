// softnet collector: per-CPU packet processing statistics from
// /proc/net/softnet_stat as node_softnet_*{cpu}, as node_exporter exports them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One line of softnet_stat (hexadecimal columns).
struct SoftnetCpu {
  std::uint32_t cpu = 0;  // column 13 when present, else the line's position
  double processed = 0, dropped = 0, time_squeezed = 0, cpu_collision = 0;
  double received_rps = 0, flow_limit_count = 0, backlog_len = 0;  // 0 on kernels without the column
};

// Parses softnet_stat. A line with fewer than 9 columns or a column that is
// not a 32-bit hex number is skipped and counted in *parse_errors; it still
// takes its position, so the CPUs of later lines keep their numbers.
std::vector<SoftnetCpu> ParseSoftnet(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec SoftnetCollectorSpec();

}  // namespace hostwatch
