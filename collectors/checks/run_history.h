// RunHistory: what the checker keeps about one check's completed runs: the
// last result (with its log, for /probe?debug=true), a short list of past
// runs, and the counters behind the check's series on /metrics. Also the
// status page's row for a check (CheckSummary), computed from it.
//
// A plain value; not thread-safe (HttpChecker guards each one with its mutex).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "collectors/checks/http/probe_result.h"

namespace hostwatch {

// One past run, compact (no log): 1,000 checks x 20 entries stay around a megabyte.
struct RunRecord {
  double start_unix = 0;
  double duration_seconds = 0;
  long status_code = 0;
  bool success = false;
  FailureReason reason = FailureReason::kNone;
};

// One check as a person sees it on the status page (computed over the kept history).
struct CheckSummary {
  std::string name;
  std::string target;  // password redacted
  bool has_run = false;
  bool up = false;
  double last_duration_seconds = 0;
  std::optional<double> availability_ratio;  // successes / runs in the history
  std::optional<double> p95_seconds;         // nearest-rank p95 of the history's durations
  std::optional<double> cert_days_left;      // earliest certificate expiry of the last run
  std::string last_failure_reason;           // "" when the last run succeeded
};

// Counts of values per bucket, with their sum and number: the one histogram
// behind the checks' histograms (run durations; ICMP round trips).
class BucketHistogram {
 public:
  // bounds: the buckets' upper bounds, ascending, without +Inf.
  explicit BucketHistogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }  // per bound, then +Inf; not cumulative
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class RunHistory {
 public:
  // latency_buckets: the upper bounds of probe_all_duration_seconds (without +Inf).
  explicit RunHistory(std::vector<double> latency_buckets);

  // Counts a completed run and makes it the last one; keeps the history_size
  // (at least 1) most recent runs (a parameter: a reload may change it).
  void Record(ProbeResult result, std::size_t history_size);

  bool has_result() const { return last_.has_value(); }
  // The last run; only when has_result().
  const ProbeResult& last() const { return *last_; }
  // Past runs, oldest first.
  const std::deque<RunRecord>& records() const { return records_; }

  // The status page's row (name and target as given), as of now_unix.
  CheckSummary Summarize(const std::string& name, const std::string& target, double now_unix) const;

  // Counters since the check was loaded, for the check's series.
  const std::vector<double>& latency_buckets() const { return durations_.bounds(); }
  const std::vector<std::uint64_t>& bucket_counts() const { return durations_.counts(); }  // per bound, not cumulative
  double duration_sum() const { return durations_.sum(); }
  // Every answered echo's round trip over all runs (icmp checks), on the latency buckets.
  const BucketHistogram& rtt_histogram() const { return rtts_; }
  std::uint64_t runs() const { return runs_; }
  std::uint64_t successes() const { return successes_; }
  std::uint64_t failures(FailureReason reason) const { return failures_[static_cast<int>(reason)]; }
  double last_success_unix() const { return last_success_; }  // 0 if none succeeded
  double last_run_unix() const { return last_run_; }
  std::uint64_t consecutive_failures() const { return consecutive_failures_; }
  const PhaseDurations& phase_totals() const { return phase_totals_; }

 private:
  BucketHistogram durations_;
  BucketHistogram rtts_;
  std::optional<ProbeResult> last_;
  std::deque<RunRecord> records_;
  std::uint64_t runs_ = 0;
  std::uint64_t successes_ = 0;
  std::array<std::uint64_t, kFailureReasonCount> failures_{};
  double last_success_ = 0;
  double last_run_ = 0;
  std::uint64_t consecutive_failures_ = 0;
  PhaseDurations phase_totals_;
};

// Index of the first bucket whose upper bound holds v (bounds.size() = +Inf only).
std::size_t BucketIndex(const std::vector<double>& bounds, double v);

// Nearest-rank 95th percentile of values; nullopt when there are none.
std::optional<double> NearestRankP95(std::vector<double> values);

}  // namespace hostwatch
