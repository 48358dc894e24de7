// xfs collector: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats
// as node_xfs_*{device}, as node_exporter's xfs collector (prometheus/procfs xfs) exports them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One stats file: the lines node_exporter exports (extent_alloc, abt, blk_map,
// bmbt, dir, ig, rw, vnodes), each as its numbers, keyed by the line's label.
// Other labels (trans, log, xpc, the *bt2 lines, ...) are not kept. A kept
// line whose values are not uint32 numbers, or whose count is not the one the
// kernel prints (vnodes: 7 or 8, the 8th on newer kernels), is left out and
// counted in *parse_errors; node_exporter (procfs) drops the whole scrape then.
using XfsStats = std::map<std::string, std::vector<std::uint32_t>, std::less<>>;
XfsStats ParseXfsStats(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec XfsCollectorSpec();

}  // namespace hostwatch
