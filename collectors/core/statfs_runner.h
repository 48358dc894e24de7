// StatfsRunner: runs statfs-like calls that can hang forever (a dead NFS or
// FUSE server) on a small, bounded set of helper threads, so that a scrape
// never waits longer than a timeout for them.
//
// The helper threads and the marks of hung calls live in a StatfsThreads,
// which outlives one runner: a configuration reload builds a new filesystem
// collector, and so a new runner, but a call hung under the old one cannot be
// cancelled. Runners built on the same StatfsThreads (the agent keeps one for
// the whole process) share its threads and its stuck keys, so a reload does
// not start one more thread on a mount that is still hung.
//
// Contract, per Run():
//  - every call gets at most `timeout` (counted from the start of Run, so one
//    Run returns within about `timeout` however many mounts hang);
//  - a call still running at the deadline is reported as timed out and its
//    key is marked stuck; later Runs (of any runner on the same StatfsThreads)
//    skip a stuck key without calling it again, until the blocked call finally
//    returns (then the key is unmarked);
//  - Run never starts a thread while `max_threads` threads of the
//    StatfsThreads exist, stuck or not (threads started for an earlier runner
//    count). When `max_threads` of them are stuck, further calls are not
//    started and are reported as kNoWorker at once instead of waiting for the
//    timeout. So the threads stay at most the largest `max_threads` any runner
//    used, however many runners come and go.
//
// Thread-safety: Run() may be called from one thread at a time per
// StatfsThreads (the scrape wrapper never runs two collectors of one name at
// once, across reloads too); overlapping Runs are safe but may each call a
// key that is about to hang. The accessors may be called from any thread.
// Destroying the last runner and the last other owner of a StatfsThreads
// does not wait for threads blocked in a call: they finish in the background
// and then exit.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hostwatch {

// What statfs(2) says about one path, already in node_exporter's units.
struct StatfsResult {
  int error = 0;  // errno; 0 on success (then the fields below are set)
  double size_bytes = 0;
  double free_bytes = 0;
  double avail_bytes = 0;
  double files = 0;
  double files_free = 0;
};

// The call to run: statfs(2) in production, a fake that blocks in tests.
using StatfsFunction = std::function<StatfsResult(const std::string& path)>;

// statfs(2) on path.
StatfsResult SystemStatfs(const std::string& path);

// The helper threads and stuck keys shared by the runners built on it. Opaque
// to callers except for the counts. Thread-safe; the destructor lets idle
// threads exit and does not wait for blocked ones.
class StatfsThreads {
 public:
  StatfsThreads();
  ~StatfsThreads();
  StatfsThreads(const StatfsThreads&) = delete;
  StatfsThreads& operator=(const StatfsThreads&) = delete;
  StatfsThreads(StatfsThreads&&) = delete;
  StatfsThreads& operator=(StatfsThreads&&) = delete;

  // Helper threads alive now (idle, busy or stuck).
  std::size_t ThreadCount() const;
  // Keys currently marked stuck: each pins one thread in a call that overran.
  std::size_t StuckCount() const;

 private:
  friend class StatfsRunner;
  struct State;
  std::shared_ptr<State> state_;
};

class StatfsRunner {
 public:
  struct Request {
    std::string key;   // identifies the mount across scrapes (its mount point)
    std::string path;  // what to pass to the function
  };
  enum class Outcome {
    kDone,      // the call returned; see result
    kTimedOut,  // still running at the deadline; the key is now stuck
    kStuck,     // skipped: an earlier call for this key has not returned yet
    kNoWorker,  // not started: every helper thread is stuck
  };
  struct Reply {
    Outcome outcome = Outcome::kDone;
    StatfsResult result;
  };

  // Runs fn on threads's helpers (see the file comment).
  StatfsRunner(StatfsFunction fn, std::size_t max_threads, std::chrono::milliseconds timeout,
               std::shared_ptr<StatfsThreads> threads);
  StatfsRunner(const StatfsRunner&) = delete;
  StatfsRunner& operator=(const StatfsRunner&) = delete;
  StatfsRunner(StatfsRunner&&) = delete;
  StatfsRunner& operator=(StatfsRunner&&) = delete;

  // Runs fn for every request; replies are in request order.
  std::vector<Reply> Run(const std::vector<Request>& requests);

  const StatfsThreads& threads() const { return *threads_; }

 private:
  friend class StatfsThreads;  // its State queues Jobs
  struct Job;
  struct Batch;
  // Queues a job per request whose key is not stuck (the others are answered
  // kStuck in *replies) and starts the threads they need. Returns the jobs,
  // null where none was queued. Called with State::mu held.
  std::vector<std::shared_ptr<Job>> Queue(const std::vector<Request>& requests, const std::shared_ptr<Batch>& batch,
                                          std::vector<Reply>* replies);
  static void WorkerLoop(std::shared_ptr<StatfsThreads::State> state);

  // How long one thread works through a batch alone before the other idle
  // threads are woken to share it (see Run).
  static constexpr std::chrono::milliseconds kSpreadAfter{2};

  const std::shared_ptr<StatfsThreads> threads_;
  StatfsThreads::State& state_;  // *threads_->state_
  // Shared with the jobs, which a blocked thread may hold after the runner is gone.
  const std::shared_ptr<const StatfsFunction> fn_;
  const std::size_t max_threads_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace hostwatch
