#include "agent/scraper.h"

#include <condition_variable>
#include <limits>

#include "agent/logging.h"

namespace hostwatch {

using Clock = std::chrono::steady_clock;

namespace {

const MetricDesc kCollectorDuration{"node_scrape_collector_duration_seconds",
                                    "node_exporter: Duration of a collector scrape.",
                                    MetricType::Gauge,
                                    {"collector"}};
const MetricDesc kCollectorSuccess{"node_scrape_collector_success",
                                   "node_exporter: Whether a collector succeeded.",
                                   MetricType::Gauge,
                                   {"collector"}};
// node_scrape_collector_success is 0 both when a collector failed and when it had nothing to
// read on this host (node_exporter's ErrNoData: no /proc/mdstat, no nf_conntrack, no PSI). This
// tells the two apart, so that an alert can fire on failures only.
const MetricDesc kCollectorNoData{"hostwatch_collector_no_data",
                                  "1 if the collector found nothing to report on this host in the scrape (its "
                                  "success is then 0, as in node_exporter), 0 otherwise.",
                                  MetricType::Gauge,
                                  {"collector"}};
const MetricDesc kParseErrors{"hostwatch_collector_parse_errors_total",
                              "Malformed input lines a collector skipped since the agent started.",
                              MetricType::Counter,
                              {"collector"}};
const MetricDesc kHungThreads{"hostwatch_hung_threads",
                              "Threads blocked in a call that overran its deadline: a collector (pool=\"collector\") "
                              "or statfs on a mount (pool=\"statfs\"). Each ends when its call returns; reloads do "
                              "not add to them.",
                              MetricType::Gauge,
                              {"pool"}};

}  // namespace

struct Scraper::Entry {
  std::string name;
  CollectorPtr collector;
  // Shared with every scraper's entry of this name: run_mu, stuck, parse_errors.
  std::shared_ptr<ScrapeThreads::CollectorSlot> slot;

  mutable std::mutex info_mu;
  CollectorRunInfo info;  // Guarded by info_mu.
};

struct Scraper::Outcome {
  bool done = false;
  bool started = false;
  Clock::time_point start;
  Status status;
  double seconds = 0;
  std::vector<prometheus::MetricFamily> families;
  std::vector<ForeignFamily> foreign;  // textfile input, merged last by the agent
  std::vector<std::string> warnings;
};

// One pass of a pool thread over entries[first..]. Shared between the
// scrape thread and the worker, which may outlive the scrape when it hangs.
struct Scraper::Job {
  std::vector<std::shared_ptr<Entry>> entries;
  std::size_t first = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Outcome> outcomes;   // Guarded by mu.
  bool abandoned = false;  // Guarded by mu; the scrape gave up on this job.

  // The scrape thread is woken once, when the whole job is done. Waking it
  // after every collector cost two context switches per collector, more CPU
  // than most collectors spend; waking it when a collector starts (to learn
  // when its deadline begins) cost two more per scrape. Instead it sleeps
  // until a time no collector's deadline can come before: now + timeout for
  // a collector that has not started yet (it starts later than now), its
  // start + timeout once it has. Waking at that time, it looks again, so a
  // collector that overruns is still caught at its own start + timeout.

  void Run() {
    for (std::size_t i = first; i < entries.size(); ++i) {
      Entry& e = *entries[i];
      {
        std::lock_guard<std::mutex> lock(mu);
        if (abandoned) {
          return;
        }
        outcomes[i].started = true;
        outcomes[i].start = Clock::now();
      }
      Outcome o;
      ScrapeThreads::CollectorSlot& slot = *e.slot;
      if (slot.stuck.load()) {
        o.status = Status::Error("skipped: a previous run is still hung past its deadline");
      } else {
        MetricSink sink;
        auto start = Clock::now();
        {
          std::lock_guard<std::mutex> run_lock(slot.run_mu);
          try {
            o.status = e.collector->Collect(sink);
          } catch (const std::exception& ex) {
            o.status = Status::Error(std::string("exception: ") + ex.what());
          }
        }
        o.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        slot.stuck = false;  // if it had overrun, it has now returned
        slot.parse_errors += sink.parse_errors();
        o.warnings = sink.warnings();
        o.families = sink.TakeFamilies();
        o.foreign = sink.TakeForeignFamilies();
      }
      std::lock_guard<std::mutex> lock(mu);
      o.started = true;
      o.start = outcomes[i].start;
      o.done = true;
      outcomes[i] = std::move(o);
      if (i + 1 == entries.size()) {
        cv.notify_all();
      }
    }
  }
};

Scraper::Scraper(std::vector<NamedCollector> collectors, std::chrono::milliseconds collector_timeout,
                 std::shared_ptr<ScrapeThreads> threads)
    : timeout_(collector_timeout), threads_(std::move(threads)) {
  for (auto& c : collectors) {
    auto e = std::make_shared<Entry>();
    e->name = c.name;
    e->info.name = c.name;
    e->collector = std::move(c.collector);
    e->slot = threads_->Slot(c.name);
    entries_.push_back(std::move(e));
  }
}

void Scraper::AwaitJob(Job& job, std::vector<Outcome>& results, std::size_t* next) const {
  const std::size_t n = entries_.size();
  for (std::size_t& i = *next; i < n; ++i) {
    std::unique_lock<std::mutex> lock(job.mu);
    Outcome& o = job.outcomes[i];
    while (!o.done) {
      // See Job: no deadline of collector i can come before this time.
      const Clock::time_point wake = o.started ? o.start + timeout_ : Clock::now() + timeout_;
      if (job.cv.wait_until(lock, wake) == std::cv_status::timeout && o.started && !o.done &&
          Clock::now() >= o.start + timeout_) {
        job.abandoned = true;
        entries_[i]->slot->stuck = true;
        results[i].status = Status::Error("timed out after " + FormatDuration(timeout_));
        results[i].seconds = std::chrono::duration<double>(Clock::now() - o.start).count();
        ++i;
        return;  // the caller continues with the rest on a new job
      }
    }
    results[i] = std::move(o);
  }
}

std::vector<Scraper::Outcome> Scraper::RunAll() const {
  const std::size_t n = entries_.size();
  std::vector<Outcome> results(n);
  std::size_t i = 0;
  while (i < n) {
    auto job = std::make_shared<Job>();
    job->entries = entries_;
    job->first = i;
    job->outcomes.resize(n);
    if (!threads_->pool().Submit([job] { job->Run(); })) {
      for (; i < n; ++i) {
        results[i].status = Status::Error("no scrape worker available (too many hung collectors)");
      }
      break;
    }
    AwaitJob(*job, results, &i);
  }
  return results;
}

void Scraper::Collect(MetricSink& sink) const {
  std::vector<Outcome> results = RunAll();
  // The meta families go in after every collector's, as separate families, so
  // that a collector emitting the same name (textfile) merges exactly as before.
  MetricSink meta;
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    Entry& e = *entries_[k];
    Outcome& r = results[k];
    bool success = r.status.ok();
    if (!success) {
      if (r.status.no_data()) {
        logging::Debug("collector returned no data", {{"name", e.name}, {"err", r.status.message()}});
      } else {
        logging::Warn("collector failed",
                      {{"name", e.name}, {"duration_seconds", r.seconds}, {"err", r.status.message()}});
      }
    }
    for (const std::string& w : r.warnings) {
      logging::Warn("collector degraded", {{"name", e.name}, {"err", w}});
    }
    for (auto& f : r.families) {
      sink.AddFamily(std::move(f));
    }
    for (auto& f : r.foreign) {
      sink.AddForeignFamily(std::move(f.family), std::move(f.origin));
    }
    meta.Add(kCollectorDuration, r.seconds, {e.name});
    meta.Add(kCollectorSuccess, success ? 1 : 0, {e.name});
    meta.Add(kCollectorNoData, r.status.no_data() ? 1 : 0, {e.name});
    std::uint64_t errors = e.slot->parse_errors.load();
    meta.Add(kParseErrors, static_cast<double>(errors), {e.name});
    std::lock_guard<std::mutex> lock(e.info_mu);
    e.info = CollectorRunInfo{e.name, r.seconds, success, true, success ? "" : r.status.message(), errors};
  }
  meta.Add(kHungThreads, static_cast<double>(threads_->HungCollectors()), {"collector"});
  meta.Add(kHungThreads, static_cast<double>(threads_->statfs()->StuckCount()), {"statfs"});
  for (auto& f : meta.TakeFamilies()) {
    sink.AddFamily(std::move(f));
  }
}

std::vector<CollectorRunInfo> Scraper::RunInfo() const {
  std::vector<CollectorRunInfo> infos;
  for (const auto& e : entries_) {
    std::lock_guard<std::mutex> lock(e->info_mu);
    infos.push_back(e->info);
  }
  return infos;
}

}  // namespace hostwatch
