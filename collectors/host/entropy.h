// entropy collector: node_entropy_available_bits and node_entropy_pool_size_bits
// from /proc/sys/kernel/random/{entropy_avail,poolsize} (man 4 random).
#pragma once

#include "collectors/core/collector.h"

namespace hostwatch {

CollectorSpec EntropyCollectorSpec();

}  // namespace hostwatch
