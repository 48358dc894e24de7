// WorkerPool: threads that run submitted tasks, created on demand and kept
// for reuse. It exists so that the scrape path can give a collector a deadline:
// a task that hangs (statfs on a dead NFS mount) pins its thread, the scrape
// moves on, and the pool starts another thread for the next task. The thread
// count is capped so that hangs cannot grow it without bound.
//
// Thread-safe. The destructor joins the threads, so that their thread-local
// state (OpenSSL's, once a collector used libcurl) is freed before exit() runs
// the libraries' exit handlers; a thread still busy after kStopGrace may be hung
// and is detached instead, so a task must only touch state it co-owns (shared_ptr).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace hostwatch {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t max_threads) : max_threads_(max_threads) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  WorkerPool(WorkerPool&&) = delete;
  WorkerPool& operator=(WorkerPool&&) = delete;

  // Queues task for an idle thread, starting one if none is idle. Returns false
  // (and does not run task) when every allowed thread is busy.
  bool Submit(std::function<void()> task);

  // Threads alive now: idle, busy or pinned by a hung task.
  std::size_t ThreadCount() const;

 private:
  struct Shared {
    mutable std::mutex mu;
    std::condition_variable cv;       // work queued or stopping
    std::condition_variable idle_cv;  // a worker became idle
    std::deque<std::function<void()>> queue;  // Guarded by mu.
    std::size_t idle = 0;                      // Guarded by mu.
    std::set<std::thread::id> busy;            // Guarded by mu: workers running a task.
    bool stopping = false;                     // Guarded by mu.
  };
  static void WorkerLoop(std::shared_ptr<Shared> shared);

  // How long Submit waits for a busy worker to come back before starting a new one.
  static constexpr std::chrono::milliseconds kIdleGrace{5};
  // How long the destructor waits for busy workers to finish before detaching those still busy.
  static constexpr std::chrono::milliseconds kStopGrace{1000};

  const std::size_t max_threads_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::vector<std::thread> workers_;  // Guarded by shared_->mu: every thread started, alive until the pool ends.
};

}  // namespace hostwatch
