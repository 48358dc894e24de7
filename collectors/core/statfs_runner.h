// StatfsRunner: runs statfs-like calls that can hang forever (a dead NFS or
// FUSE server) on a small, bounded set of helper threads, so that a scrape
// never waits longer than a timeout for them.
//
// Contract, per Run():
//  - every call gets at most `timeout` (counted from the start of Run, so one
//    Run returns within about `timeout` however many mounts hang);
//  - a call still running at the deadline is reported as timed out and its
//    key is marked stuck; later Runs skip a stuck key without calling it again,
//    until the blocked call finally returns (then the key is unmarked);
//  - at most `max_threads` threads exist, stuck or not. When all of them are
//    stuck, further calls are not started and are reported as kNoWorker
//    at once instead of waiting for the timeout.
//
// Thread-safety: Run() may be called from one thread at a time (the scrape
// wrapper never runs a collector twice concurrently). The accessors may be
// called from any thread. The destructor does not wait for threads blocked in
// a call: they finish in the background and then exit.
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

  StatfsRunner(StatfsFunction fn, std::size_t max_threads, std::chrono::milliseconds timeout);
  ~StatfsRunner();
  StatfsRunner(const StatfsRunner&) = delete;
  StatfsRunner& operator=(const StatfsRunner&) = delete;
  StatfsRunner(StatfsRunner&&) = delete;
  StatfsRunner& operator=(StatfsRunner&&) = delete;

  // Runs fn for every request; replies are in request order.
  std::vector<Reply> Run(const std::vector<Request>& requests);

  // Helper threads alive now (idle, busy or stuck).
  std::size_t ThreadCount() const;
  // Keys currently marked stuck.
  std::size_t StuckCount() const;

 private:
  struct State;
  struct Job;
  static void WorkerLoop(std::shared_ptr<State> state);

  // How long one thread works through a batch alone before the other idle
  // threads are woken to share it (see Run).
  static constexpr std::chrono::milliseconds kSpreadAfter{2};

  std::shared_ptr<State> state_;
  const std::size_t max_threads_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace hostwatch
