// Scraper: runs every enabled host collector for one scrape, in order, each
// with a deadline, and adds node_scrape_collector_{duration_seconds,success}
// and hostwatch_collector_parse_errors_total.
//
// Collectors run one after another on a pool thread (sequential reads are
// kinder to big hosts than parallel ones). The scrape thread waits for each
// with a deadline; a collector that overruns is abandoned for this scrape
// (its data dropped, success 0), marked stuck, and skipped by later scrapes
// until its hung call returns, so at most one thread per collector is ever
// pinned by a hang. Remaining collectors continue on a fresh pool thread.
//
// Thread-safe: concurrent scrapes may call Scrape(); each collector instance is
// still run by one thread at a time.
#pragma once

#include <prometheus/metric_family.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/worker_pool.h"
#include "collectors/core/collector.h"

namespace hostwatch {

// What the status page shows about a collector's last run.
struct CollectorRunInfo {
  std::string name;
  double last_duration_seconds = 0;
  bool last_success = false;
  bool ever_run = false;
  std::string last_error;
  std::uint64_t parse_errors_total = 0;
};

class Scraper {
 public:
  struct NamedCollector {
    std::string name;
    CollectorPtr collector;
  };

  Scraper(std::vector<NamedCollector> collectors, std::chrono::milliseconds collector_timeout);
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;
  Scraper(Scraper&&) = delete;
  Scraper& operator=(Scraper&&) = delete;

  // Runs all collectors and returns their families plus the scrape meta families.
  std::vector<prometheus::MetricFamily> Scrape();

  std::vector<CollectorRunInfo> RunInfo() const;
  std::vector<std::string> Names() const;

 private:
  struct Entry;
  struct Job;
  struct Outcome;

  std::vector<std::shared_ptr<Entry>> entries_;
  const std::chrono::milliseconds timeout_;
  WorkerPool pool_;
};

}  // namespace hostwatch
