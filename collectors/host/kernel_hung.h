// kernel_hung collector: node_kernel_hung_tasks_total from
// /proc/sys/kernel/hung_task_detect_count (Linux 6.13 and later; older
// kernels have no such file: no data, as in node_exporter).
#pragma once

#include "collectors/core/collector.h"

namespace hostwatch {

CollectorSpec KernelHungCollectorSpec();

}  // namespace hostwatch
