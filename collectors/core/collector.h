// The collector interface and the description of a collector in the registry.
//
// A Collector reads one corner of the host on every scrape and adds metrics to
// a MetricSink. The scrape wrapper (agent/scraper.h) owns timing, the
// node_scrape_collector_* series, deadlines and logging for all collectors,
// and never runs the same collector instance on two threads at once, so
// implementations need no locking of their own.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector_options.h"
#include "collectors/core/metric_sink.h"
#include "collectors/core/proc_fs.h"
#include "collectors/core/status.h"

namespace hostwatch {

class Collector {
 public:
  virtual ~Collector() = default;
  // Adds this scrape's samples to sink. Returns an Error when the collector's
  // data is unusable, NoData when there is nothing to report on this host
  // (logged at debug only; success is 0 in both cases, as in node_exporter),
  // OK otherwise.
  // Malformed input lines are skipped and counted with sink.CountParseError().
  virtual Status Collect(MetricSink& sink) = 0;
};

using CollectorPtr = std::unique_ptr<Collector>;

class StatfsThreads;

// What a collector gets when it is built: file access and its options.
struct CollectorContext {
  const ProcFs& fs;
  const CollectorOptions& options;
  // Helper threads for statfs calls (statfs_runner.h), kept by the agent
  // across reloads so that a new filesystem collector inherits the calls
  // still hung under the old one; null: the collector starts its own.
  std::shared_ptr<StatfsThreads> statfs_threads = nullptr;
};

// One row of the registry table (collectors/registry.cpp).
struct CollectorSpec {
  std::string name;         // "cpu": flag --collector.cpu, label collector="cpu"
  bool enabled_by_default;  // node_exporter's default for the same collector
  std::string description;  // what it reads and exports, for --help and the README
  // --collector.<name>.<key> flags and config keys: {kHandle.Spec(), ...} of the
  // typed handles the collector reads (collector_options.h); only these can be read.
  std::vector<OptionSpec> options;
  // Builds the collector; an Error (e.g. a bad regex) stops startup or a reload.
  std::function<Result<CollectorPtr>(const CollectorContext&)> make;

  // The option with this flag-spelled key, or nullptr.
  const OptionSpec* FindOption(std::string_view key) const {
    for (const OptionSpec& option : options) {
      if (option.key == key) {
        return &option;
      }
    }
    return nullptr;
  }
};

}  // namespace hostwatch
