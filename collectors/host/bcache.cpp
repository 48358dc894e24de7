#include "collectors/host/bcache.h"

#include <memory>
#include <string>
#include <vector>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kSetLabels = {"uuid"};
const std::vector<std::string> kBdevLabels = {"uuid", "backing_device"};
const std::vector<std::string> kCacheLabels = {"uuid", "cache_device"};

MetricDesc Desc(const std::string& name, std::string help, MetricType type, const std::vector<std::string>& labels) {
  return {"node_bcache_" + name, std::move(help), type, labels};
}

// A value file (path relative to its directory) and its metric.
struct ValueFile {
  std::string file;
  MetricDesc desc;
  double scale = 1;
};

// /sys/fs/bcache/<uuid>/
const std::vector<ValueFile> kSetValues = {
    {"average_key_size",
     Desc("average_key_size_sectors", "Average data per key in the btree (sectors).", MetricType::Gauge, kSetLabels)},
    {"btree_cache_size", Desc("btree_cache_size_bytes", "Amount of memory currently used by the btree cache.",
                              MetricType::Gauge, kSetLabels)},
    {"cache_available_percent",
     Desc("cache_available_percent",
          "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).",
          MetricType::Gauge, kSetLabels)},
    {"congested", Desc("congested", "Congestion.", MetricType::Gauge, kSetLabels)},
    {"root_usage_percent",
     Desc("root_usage_percent", "Percentage of the root btree node in use (tree depth increases if too high).",
          MetricType::Gauge, kSetLabels)},
    {"tree_depth", Desc("tree_depth", "Depth of the btree.", MetricType::Gauge, kSetLabels)},
    {"internal/active_journal_entries",
     Desc("active_journal_entries", "Number of journal entries that are newer than the index.", MetricType::Gauge,
          kSetLabels)},
    {"internal/btree_nodes", Desc("btree_nodes", "Total nodes in the btree.", MetricType::Gauge, kSetLabels)},
    // The file is in microseconds; node_exporter scales it by 1e-9 all the
    // same, and the exported value follows it.
    {"internal/btree_read_average_duration_us",
     Desc("btree_read_average_duration_seconds", "Average btree read duration.", MetricType::Gauge, kSetLabels), 1e-9},
    {"internal/cache_read_races",
     Desc("cache_read_races_total",
          "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - "
          "i.e. where the pointer was stale after the read completed.",
          MetricType::Counter, kSetLabels)},
};

// /sys/fs/bcache/<uuid>/bdev<N>/ (stats_total/cache_readaheads only when not 0)
const std::vector<ValueFile> kBdevValues = {
    {"dirty_data", Desc("dirty_data_bytes", "Amount of dirty data for this backing device in the cache.",
                        MetricType::Gauge, kBdevLabels)},
    {"stats_total/bypassed",
     Desc("bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache.",
          MetricType::Counter, kBdevLabels)},
    {"stats_total/cache_hits",
     Desc("cache_hits_total", "Hits counted per individual IO as bcache sees them.", MetricType::Counter, kBdevLabels)},
    {"stats_total/cache_misses", Desc("cache_misses_total", "Misses counted per individual IO as bcache sees them.",
                                      MetricType::Counter, kBdevLabels)},
    {"stats_total/cache_bypass_hits",
     Desc("cache_bypass_hits_total", "Hits for IO intended to skip the cache.", MetricType::Counter, kBdevLabels)},
    {"stats_total/cache_bypass_misses",
     Desc("cache_bypass_misses_total", "Misses for IO intended to skip the cache.", MetricType::Counter, kBdevLabels)},
    {"stats_total/cache_miss_collisions",
     Desc("cache_miss_collisions_total",
          "Instances where data insertion from cache miss raced with write (data already present).",
          MetricType::Counter, kBdevLabels)},
    {"stats_total/cache_readaheads",
     Desc("cache_readaheads_total", "Count of times readahead occurred.", MetricType::Counter, kBdevLabels)},
};
const std::string kReadaheads = "stats_total/cache_readaheads";

// <bdev>/writeback_rate_debug
const MetricDesc kDirtyTarget =
    Desc("dirty_target_bytes", "Current dirty data target threshold for this backing device in bytes.",
         MetricType::Gauge, kBdevLabels);
const MetricDesc kWritebackRate =
    Desc("writeback_rate", "Current writeback rate for this backing device in bytes.", MetricType::Gauge, kBdevLabels);
const MetricDesc kProportional =
    Desc("writeback_rate_proportional_term", "Current result of proportional controller, part of writeback rate",
         MetricType::Gauge, kBdevLabels);
const MetricDesc kIntegral =
    Desc("writeback_rate_integral_term", "Current result of integral controller, part of writeback rate",
         MetricType::Gauge, kBdevLabels);
const MetricDesc kChange = Desc("writeback_change", "Last writeback rate change step for this backing device.",
                                MetricType::Gauge, kBdevLabels);

// /sys/fs/bcache/<uuid>/cache<N>/
const std::vector<ValueFile> kCacheValues = {
    {"io_errors", Desc("io_errors", "Number of errors that have occurred, decayed by io_error_halflife.",
                       MetricType::Gauge, kCacheLabels)},
    {"metadata_written",
     Desc("metadata_written_bytes_total", "Sum of all non data writes (btree writes and all other metadata).",
          MetricType::Counter, kCacheLabels)},
    {"written", Desc("written_bytes_total", "Sum of all data that has been written to the cache.", MetricType::Counter,
                     kCacheLabels)},
};
const MetricDesc kUnused =
    Desc("priority_stats_unused_percent", "The percentage of the cache that doesn't contain any data.",
         MetricType::Gauge, kCacheLabels);
const MetricDesc kMetadata =
    Desc("priority_stats_metadata_percent", "Bcache's metadata overhead.", MetricType::Gauge, kCacheLabels);

constexpr BoolOption kPriorityStats{"bcache", "priorityStats", false, "Expose expensive priority stats."};

// A sample held until its whole cache set has been read.
struct Sample {
  const MetricDesc* desc;
  double value;
  std::vector<std::string> labels;
};

bool HasIndexedPrefix(const std::string& name, std::string_view prefix) {  // glob "<prefix>[0-9]*"
  return name.size() > prefix.size() && name.starts_with(prefix) && name[prefix.size()] >= '0' &&
         name[prefix.size()] <= '9';
}

// Reads one cache set as procfs does: a missing value file reads as 0, any
// other read failure fails the scrape; a value that does not parse is counted
// in parse_errors and drops the set.
class SetReader {
 public:
  SetReader(std::string uuid, bool priority_stats) : uuid_(std::move(uuid)), priority_stats_(priority_stats) {}

  Status Read(const DirHandle& set) {
    if (Status s = AddValues(set, kSetValues, {uuid_}); !s.ok()) {
      return s;
    }
    Result<std::vector<std::string>> names = set.List();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& name : names.value()) {
      if (HasIndexedPrefix(name, "bdev")) {
        if (Status s = ReadBdev(set, name); !s.ok()) {
          return s;
        }
      }
    }
    for (const std::string& name : names.value()) {
      if (HasIndexedPrefix(name, "cache")) {
        if (Status s = ReadCache(set, name); !s.ok()) {
          return s;
        }
      }
    }
    return Status::OK();
  }

  std::uint64_t parse_errors = 0;
  std::vector<Sample> samples;

 private:
  Status AddValues(const DirHandle& dir, const std::vector<ValueFile>& files, const std::vector<std::string>& labels) {
    for (const ValueFile& f : files) {
      Result<std::string> text = dir.ReadAttribute(f.file);
      if (!text.ok() && !text.status().no_data()) {
        return text.status();
      }
      std::optional<std::uint64_t> v = text.ok() ? BcacheDehumanize(TrimSpace(text.value())) : 0;
      if (!v) {
        ++parse_errors;
        continue;
      }
      if (f.file == kReadaheads && *v == 0) {
        continue;  // node_exporter leaves a zero readahead count out
      }
      samples.push_back({&f.desc, static_cast<double>(*v) * f.scale, labels});
    }
    return Status::OK();
  }

  // A file procfs requires (writeback_rate_debug, priority_stats): missing
  // fails the scrape too.
  static Result<std::string> ReadRequired(const DirHandle& dir, std::string_view file) {
    Result<std::string> text = dir.ReadFile(file);
    if (!text.ok() && text.status().no_data()) {
      return Status::Error(text.status().message());
    }
    return text;
  }

  Status ReadBdev(const DirHandle& set, const std::string& name) {
    Result<DirHandle> dir = set.OpenDir(name);
    if (!dir.ok()) {
      return dir.status();
    }
    const std::vector<std::string> labels = {uuid_, name};
    Result<std::string> debug = ReadRequired(dir.value(), "writeback_rate_debug");
    if (!debug.ok()) {
      return debug.status();
    }
    if (std::optional<BcacheWritebackRate> w = ParseBcacheWritebackRateDebug(debug.value(), &parse_errors)) {
      samples.push_back({&kDirtyTarget, static_cast<double>(w->target), labels});
      samples.push_back({&kWritebackRate, static_cast<double>(w->rate), labels});
      samples.push_back({&kProportional, static_cast<double>(w->proportional), labels});
      samples.push_back({&kIntegral, static_cast<double>(w->integral), labels});
      samples.push_back({&kChange, static_cast<double>(w->change), labels});
    }
    return AddValues(dir.value(), kBdevValues, labels);
  }

  Status ReadCache(const DirHandle& set, const std::string& name) {
    Result<DirHandle> dir = set.OpenDir(name);
    if (!dir.ok()) {
      return dir.status();
    }
    const std::vector<std::string> labels = {uuid_, name};
    if (Status s = AddValues(dir.value(), kCacheValues, labels); !s.ok()) {
      return s;
    }
    if (!priority_stats_) {
      return Status::OK();
    }
    Result<std::string> text = ReadRequired(dir.value(), "priority_stats");
    if (!text.ok()) {
      return text.status();
    }
    if (std::optional<BcachePriorityStats> p = ParseBcachePriorityStats(text.value(), &parse_errors)) {
      samples.push_back({&kUnused, static_cast<double>(p->unused_percent), labels});
      samples.push_back({&kMetadata, static_cast<double>(p->metadata_percent), labels});
    }
    return Status::OK();
  }

  std::string uuid_;
  bool priority_stats_;
};

class BcacheCollector : public Collector {
 public:
  BcacheCollector(const ProcFs& fs, bool priority_stats) : fs_(fs), priority_stats_(priority_stats) {}

  Status Collect(MetricSink& sink) override {
    // No /sys/fs/bcache (module not loaded): no data. node_exporter's glob
    // finds nothing there and reports success with no series.
    Result<DirHandle> root = fs_.OpenDir(fs_.SysPath("fs/bcache"));
    if (!root.ok()) {
      return root.status();
    }
    Result<std::vector<std::string>> names = root.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // Every set is read before anything is exported: a read failure fails the
    // scrape without a partial set, as in node_exporter.
    std::vector<Sample> samples;
    for (const std::string& name : names.value()) {
      if (name.find('-') == std::string::npos) {
        continue;  // register, register_quiet, ...: not a set (procfs globs "*-*")
      }
      Result<DirHandle> set = root.value().OpenDir(name);
      if (!set.ok()) {
        return set.status();
      }
      SetReader reader(name, priority_stats_);
      if (Status s = reader.Read(set.value()); !s.ok()) {
        return s;
      }
      sink.CountParseError(reader.parse_errors);
      if (reader.parse_errors == 0) {
        samples.insert(samples.end(), reader.samples.begin(), reader.samples.end());
      }
    }
    for (const Sample& s : samples) {
      sink.Add(*s.desc, s.value, s.labels);
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  bool priority_stats_;
};

}  // namespace

CollectorSpec BcacheCollectorSpec() {
  return {"bcache",
          true,
          "Exposes bcache cache sets (/sys/fs/bcache): btree and journal gauges per set, node_bcache_* per backing "
          "device (dirty data, writeback rate, stats_total hit/miss/bypass counters) and per cache device (written "
          "bytes, io errors; priority_stats with priorityStats).",
          {kPriorityStats.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<BcacheCollector>(ctx.fs, ctx.options.Get(kPriorityStats)));
          }};
}

}  // namespace hostwatch
