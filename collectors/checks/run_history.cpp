#include "collectors/checks/run_history.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace hostwatch {

BucketHistogram::BucketHistogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  counts_.assign(bounds_.size() + 1, 0);
}

void BucketHistogram::Observe(double v) {
  ++counts_[BucketIndex(bounds_, v)];
  sum_ += v;
  ++count_;
}

RunHistory::RunHistory(std::vector<double> latency_buckets) : durations_(latency_buckets), rtts_(latency_buckets) {}

void RunHistory::Record(ProbeResult r, std::size_t history_size) {
  ++runs_;
  durations_.Observe(r.duration_seconds);
  for (double rtt : r.icmp.rtts) {
    rtts_.Observe(rtt);
  }
  phase_totals_ += r.phases;
  last_run_ = r.start_unix;
  if (r.success) {
    ++successes_;
    last_success_ = r.start_unix;
    consecutive_failures_ = 0;
  } else {
    ++failures_[static_cast<int>(r.reason)];
    ++consecutive_failures_;
  }
  records_.push_back({r.start_unix, r.duration_seconds, r.status_code, r.success, r.reason});
  while (records_.size() > std::max<std::size_t>(history_size, 1)) {
    records_.pop_front();
  }
  last_ = std::move(r);
}

CheckSummary RunHistory::Summarize(const std::string& name, const std::string& target, double now_unix) const {
  CheckSummary c;
  c.name = name;
  c.target = target;
  c.has_run = has_result();
  if (!has_result()) {
    return c;
  }
  c.up = last_->success;
  c.last_duration_seconds = last_->duration_seconds;
  c.last_failure_reason = last_->success ? "" : FailureReasonName(last_->reason);
  if (last_->tls.present && last_->tls.earliest_cert_expiry > 0) {
    c.cert_days_left = (last_->tls.earliest_cert_expiry - now_unix) / 86400;
  }
  std::vector<double> durations;
  std::size_t ok = 0;
  for (const RunRecord& r : records_) {
    durations.push_back(r.duration_seconds);
    ok += r.success ? 1 : 0;
  }
  c.availability_ratio = static_cast<double>(ok) / static_cast<double>(records_.size());
  c.p95_seconds = NearestRankP95(std::move(durations));
  return c;
}

std::size_t BucketIndex(const std::vector<double>& bounds, double v) {
  return static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
}

std::optional<double> NearestRankP95(std::vector<double> values) {
  if (values.empty()) {
    return std::nullopt;
  }
  std::sort(values.begin(), values.end());
  std::size_t rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace hostwatch
