// loadavg collector: node_load1, node_load5, node_load15 from /proc/loadavg.
#pragma once

#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

struct LoadAverages {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};

// Parses the first three fields of /proc/loadavg ("0.21 0.37 0.39 1/719 19737").
Result<LoadAverages> ParseLoadavg(std::string_view text);

CollectorSpec LoadavgCollectorSpec();

}  // namespace hostwatch
