// ForeignFamilyFilter: adds the families read from outside the agent
// (textfiles, MetricSink::AddForeignFamily) to a scrape after every source has
// added its own, and drops each one whose metric family the agent produces
// itself. Prometheus keeps the first of two equal series, so a file with
// `probe_success 1` could otherwise hide a failing check's probe_success 0,
// or a file could replace node_cpu_seconds_total.
//
// A family is the agent's when one of its series names (name, and for a
// histogram or summary also name_bucket, name_sum, name_count) is:
//   - a series name of a family in the sink now (any collector, the checks,
//     the self metrics, the scrape meta families, the textfile collector's own);
//   - one the agent produced in an earlier scrape under this filter (one per
//     configuration snapshot), so a family stays protected in a scrape where
//     its collector failed or timed out;
//   - in a namespace the agent owns: probe_* (the checks, blackbox_exporter's
//     names; protected even before a check's first run) and hostwatch_*.
// A dropped family's series are counted in hostwatch_textfile_dropped_series
// (a gauge of this scrape) and logged at warn with the family and the file(s),
// once while the same family from the same file(s) keeps being dropped.
//
// Thread-safe: concurrent scrapes may call MergeInto.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <unordered_set>

#include "collectors/core/metric_sink.h"

namespace hostwatch {

class ForeignFamilyFilter {
 public:
  ForeignFamilyFilter() = default;
  ForeignFamilyFilter(const ForeignFamilyFilter&) = delete;
  ForeignFamilyFilter& operator=(const ForeignFamilyFilter&) = delete;
  ForeignFamilyFilter(ForeignFamilyFilter&&) = delete;
  ForeignFamilyFilter& operator=(ForeignFamilyFilter&&) = delete;

  // Moves sink's foreign families into its own families, except the agent's
  // (see above), and adds hostwatch_textfile_dropped_series. Call once per
  // scrape, after every source has collected into sink.
  void MergeInto(MetricSink& sink);

 private:
  std::mutex mu_;
  std::unordered_set<std::string> own_series_names_;  // Guarded by mu_.
  std::set<std::string> warned_;  // Guarded by mu_; "family\nfiles" dropped by the last scrape
};

}  // namespace hostwatch
