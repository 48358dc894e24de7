// zfs collector: OpenZFS kstats from /proc/spl/kstat/zfs as node_exporter's
// zfs collector exports them: every numeric row of arcstats, abdstats,
// dbufstats, dmu_tx, dnodestats, fm, vdev_cache_stats, vdev_mirror_stats,
// xuio_stats, zfetchstats and zil as an untyped node_zfs_<subsystem>_<name>
// (HELP "kstat.zfs.misc.<file>.<name>"), and per pool (zfs_pools.cpp) the io
// counters (node_zfs_zpool_*), each dataset's objset counters
// (node_zfs_zpool_dataset_*) and the pool state (node_zfs_zpool_state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One row of a named kstat ("name type data" table).
struct KstatRow {
  std::string name;
  int type = -1;          // KSTAT_DATA_*: 3 int64, 4 uint64, 7 string, ...
  std::string data;       // the rest of the line from the data column (a string may hold spaces)
  double value = 0;       // the number, for types 3 and 4
};

// The one parser for the kstat text format: a header line, then
// "name type data", then one row per line. Rows before that header line are
// ignored; a numeric row (type 3 or 4) whose data is not a number of its type
// is left out and counted in *parse_errors; rows of other types are kept with
// their text. nullopt when there is no "name type data" line (counted too).
std::optional<std::vector<KstatRow>> ParseKstat(std::string_view text, std::uint64_t* parse_errors);

// A pool's io kstat (a header row of at least 12 names starting "nread", then
// a row of numbers): name -> value pairs in file order. A value row whose
// field count differs from the header, or a field that is not a number, is
// left out and counted in *parse_errors.
std::vector<std::pair<std::string, std::uint64_t>> ParseZfsPoolIo(std::string_view text,
                                                                  std::uint64_t* parse_errors);

// A pool's state file: its first line, lower-cased ("online", "degraded", ...).
std::string ParseZfsPoolState(std::string_view text);

// node_exporter's metric name part for a kstat name: '-' becomes '_'.
std::string ZfsMetricName(std::string_view kstat_name);

// The collector's families are named after what the files hold, so their
// descriptions are made on first sight and kept here (the sink keeps
// pointers to them) for the collector's life.
class ZfsDescs {
 public:
  const MetricDesc& Get(const std::string& name, const std::string& help, MetricType type,
                        const std::vector<std::string>& labels);

 private:
  std::map<std::string, MetricDesc, std::less<>> descs_;
};

// The pool part (zfs_pools.cpp): reads <kstat root>/<pool>/{io,objset-*,state}.
Status AddZfsPoolMetrics(const DirHandle& kstat_root, ZfsDescs& descs, MetricSink& sink);

CollectorSpec ZfsCollectorSpec();

}  // namespace hostwatch
