// entropy collector: node_entropy_available_bits and node_entropy_pool_size_bits
// from /proc/sys/kernel/random/{entropy_avail,poolsize} (man 4 random).
#pragma once

#include <optional>
#include <string_view>

#include "collector.h"

namespace hostwatch {

// Parses the single unsigned number of a /proc/sys/kernel/random file
// (surrounding whitespace allowed); nullopt for anything else.
std::optional<double> ParseEntropyValue(std::string_view text);

CollectorSpec EntropyCollectorSpec();

}  // namespace hostwatch
