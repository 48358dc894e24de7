// ScrapeThreads: the threads of the scrape path, and what hangs them, kept
// across configuration reloads.
//
// A reload builds new collectors and a new Scraper, but a collector call hung
// in the kernel (open() on a FIFO, statfs on a dead NFS mount) belongs to the
// old ones and cannot be cancelled. If each configuration had threads of its
// own, every reload while something is hung would pin one more thread on the
// same hang (issue 16: 5 -> 14 threads after 10 reloads). So every Scraper and
// every filesystem collector of the process shares one ScrapeThreads:
//  - one WorkerPool runs all scrapers' collectors; its cap holds across reloads;
//  - the hung mark of a collector is kept by name (CollectorSlot): the new
//    configuration's collector of that name is skipped, as the old one was,
//    until the old call returns;
//  - one StatfsThreads runs all filesystem collectors' statfs calls, with the
//    mount points still stuck.
// The threads pinned by hangs are thus at most one per collector name plus
// --collector.filesystem.stat-workers, however many reloads happen.
//
// Thread-safe. Held by shared_ptr: the agent, its scrapers and collectors.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/worker_pool.h"
#include "collectors/core/statfs_runner.h"

namespace hostwatch {

class ScrapeThreads {
 public:
  // What every scraper knows about one collector name.
  struct CollectorSlot {
    std::mutex run_mu;                           // held while a collector of this name runs: one at a time
    std::atomic<bool> stuck{false};              // a run overran its deadline and has not returned yet
    std::atomic<std::uint64_t> parse_errors{0};  // since the agent started, across reloads
  };

  // pool_threads caps the threads that run collectors.
  explicit ScrapeThreads(std::size_t pool_threads) : pool_(pool_threads) {}
  ScrapeThreads(const ScrapeThreads&) = delete;
  ScrapeThreads& operator=(const ScrapeThreads&) = delete;
  ScrapeThreads(ScrapeThreads&&) = delete;
  ScrapeThreads& operator=(ScrapeThreads&&) = delete;

  WorkerPool& pool() { return pool_; }

  // The slot of a collector name, created on first use; the same object for
  // every scraper that asks.
  std::shared_ptr<CollectorSlot> Slot(const std::string& name);

  // What the agent hands to collectors (CollectorContext::statfs_threads).
  const std::shared_ptr<StatfsThreads>& statfs() const { return statfs_; }

  // Collectors whose run overran its deadline and has not returned: each pins one pool thread.
  std::size_t HungCollectors() const;

 private:
  WorkerPool pool_;
  const std::shared_ptr<StatfsThreads> statfs_ = std::make_shared<StatfsThreads>();
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<CollectorSlot>> slots_;  // Guarded by mu_.
};

}  // namespace hostwatch
