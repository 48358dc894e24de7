// The registry: one explicit table of every host collector hostwatch has,
// sorted by name. Flags, config keys, the README table and the scrape path are
// all generated from it, so adding a collector is one line in registry.cpp.
// The registry sits above core/ and host/: core's CollectorOptions knows
// nothing of the table, the registry declares the options into it.
#pragma once

#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// All collector specs, sorted by name. Built once; immutable afterwards.
const std::vector<CollectorSpec>& AllCollectors();

// The spec named name, or nullptr.
const CollectorSpec* FindCollector(std::string_view name);

// Options declaring every option of every collector, each at its default.
// Flags and the config file Set() values on a copy of this.
CollectorOptions DefaultCollectorOptions();

}  // namespace hostwatch
