// lnstat collector: every per-CPU counter of every /proc/net/stat/<file>
// (arp_cache, ndisc_cache, nf_conntrack, rt_cache, ...) as
// node_lnstat_<column>_total{subsystem=<file>,cpu}, as node_exporter exports
// them (off by default, as there).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One /proc/net/stat file: column name -> its hex values, one per CPU row in
// order (the index is the cpu label). The first line names the columns. A
// row with a value that is not hex, or with more values than the header has
// names, is skipped and counted in *parse_errors; so is a column name that
// cannot be part of a metric name.
std::map<std::string, std::vector<std::uint64_t>> ParseLnstat(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec LnstatCollectorSpec();

}  // namespace hostwatch
