// What HttpChecker keeps per configured check (private to the checker's .cpp
// files: http_checker.cpp schedules, checker_queries.cpp answers /metrics,
// /probe and the status page). Guarded by HttpChecker::mu_.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "collectors/checks/check_metrics.h"
#include "collectors/checks/http_checker.h"

namespace hostwatch {

struct HttpChecker::CheckState {
  CheckState(std::shared_ptr<const CheckSpec> s, std::shared_ptr<const CheckDescs> d)
      : spec(std::move(s)), descs(std::move(d)), history(spec->latency_buckets) {}

  std::shared_ptr<const CheckSpec> spec;          // shared with the runs in flight
  std::shared_ptr<const CheckDescs> descs;        // for labels: check, target, then static labels
  std::vector<std::string> label_values;          // match descs->base
  std::chrono::steady_clock::time_point slot;      // the aligned schedule slot this run belongs to
  std::chrono::steady_clock::time_point next_due;  // slot + jitter
  bool running = false;
  std::uint64_t skipped = 0;
  RunHistory history;
};

}  // namespace hostwatch
