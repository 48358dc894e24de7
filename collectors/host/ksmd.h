// ksmd collector: the kernel same-page merging daemon's state and counters from
// /sys/kernel/mm/ksm as node_ksmd_*, as node_exporter exports them.
#pragma once

#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// The value node_exporter exports for one ksm file: sleep_millisecs becomes
// seconds, every other file is exported as read.
double KsmdValue(std::string_view file, double raw);

CollectorSpec KsmdCollectorSpec();

}  // namespace hostwatch
