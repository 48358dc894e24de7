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
// The pool and the hung marks (by collector name) live in a ScrapeThreads
// that the scrapers of successive configurations share, so a reload does not
// run a collector again while the old configuration's call is still hung
// (scrape_threads.h); collectors of one name never run concurrently, across
// reloads too. The meta families include hostwatch_hung_threads.
//
// The last run of each collector is kept (RunInfo()) for the status page, which
// shows it instead of running collectors of its own.
//
// Thread-safe: concurrent scrapes may call Collect(); each collector instance is
// still run by one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/scrape_threads.h"
#include "collectors/core/collector.h"
#include "collectors/core/metric_source.h"

namespace hostwatch {

// What the status page shows about a collector's last run (ever_run false
// until a scrape has run it).
struct CollectorRunInfo {
  std::string name;
  double last_duration_seconds = 0;
  bool last_success = false;
  bool ever_run = false;
  std::string last_error;
  std::uint64_t parse_errors_total = 0;
};

class Scraper : public MetricSource {
 public:
  struct NamedCollector {
    std::string name;
    CollectorPtr collector;
  };

  // threads: shared with the scrapers of earlier and later configurations.
  Scraper(std::vector<NamedCollector> collectors, std::chrono::milliseconds collector_timeout,
          std::shared_ptr<ScrapeThreads> threads);
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;
  Scraper(Scraper&&) = delete;
  Scraper& operator=(Scraper&&) = delete;

  // Runs all collectors and adds their families, then the scrape meta
  // families, to sink. Records each collector's run for RunInfo(). Returns
  // within about one timeout per hung collector; never throws.
  void Collect(MetricSink& sink) const override;

  // Each collector's last run, in configuration order.
  std::vector<CollectorRunInfo> RunInfo() const;

 private:
  struct Entry;
  struct Job;
  struct Outcome;

  // Runs every collector (see the file comment) and returns one outcome per entry.
  std::vector<Outcome> RunAll() const;
  // Waits for job's outcomes from *next on; stops after the first collector that
  // overruns its deadline (marked stuck), leaving *next after it.
  void AwaitJob(Job& job, std::vector<Outcome>& results, std::size_t* next) const;

  std::vector<std::shared_ptr<Entry>> entries_;
  const std::chrono::milliseconds timeout_;
  // Collect() is logically const (a scrape reads the collectors); the pool is
  // its thread-safe machinery.
  const std::shared_ptr<ScrapeThreads> threads_;
};

}  // namespace hostwatch
