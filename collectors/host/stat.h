// stat collector: the kernel-wide counters of /proc/stat (man 5 proc, parsed by
// collectors/core/proc_stat.h):
// node_boot_time_seconds, node_context_switches_total, node_forks_total,
// node_intr_total, node_procs_running, node_procs_blocked, and with
// --collector.stat.softirq node_softirqs_total{vector}.
#pragma once

#include "collectors/core/collector.h"

namespace hostwatch {

CollectorSpec StatCollectorSpec();

}  // namespace hostwatch
