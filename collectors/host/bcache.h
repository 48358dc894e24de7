// bcache collector: bcache cache sets from /sys/fs/bcache/<uuid>/ (with their
// backing devices bdev<N> and cache devices cache<N>) as node_bcache_*, as
// node_exporter's bcache collector (prometheus/procfs bcache) exports them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// A value as the kernel's bch_hprint prints it: a plain number, or a number
// with a k/M/G/T/P/E/Z/Y suffix (powers of 1024) whose one-digit "fraction"
// counts 1024ths in tenths ("1.1M" is 1 + 1/10.24 MiB), truncated to an
// integer as procfs does. nullopt when it does not parse.
std::optional<std::uint64_t> BcacheDehumanize(std::string_view s);
// The same with an optional leading '-'.
std::optional<std::int64_t> BcacheDehumanizeSigned(std::string_view s);

// <bdev>/writeback_rate_debug.
struct BcacheWritebackRate {
  std::uint64_t rate = 0, dirty = 0, target = 0;
  std::int64_t proportional = 0, integral = 0, change = 0;
};
// Lines it does not know are ignored; a known line whose value does not parse
// makes the whole file unusable: nullopt, counted in *parse_errors.
std::optional<BcacheWritebackRate> ParseBcacheWritebackRateDebug(std::string_view text, std::uint64_t* parse_errors);

// <cache>/priority_stats (read only with --collector.bcache.priorityStats:
// the kernel walks every bucket to produce it).
struct BcachePriorityStats {
  std::uint64_t unused_percent = 0, metadata_percent = 0;
};
std::optional<BcachePriorityStats> ParseBcachePriorityStats(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec BcacheCollectorSpec();

}  // namespace hostwatch
