#include "agent/worker_pool.h"

#include <thread>

namespace hostwatch {

WorkerPool::~WorkerPool() {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->stopping = true;
  shared_->cv.notify_all();
}

bool WorkerPool::Submit(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(shared_->mu);
  // A worker that has just delivered its last result to a waiting scrape is
  // about to become idle; give it a moment rather than starting a thread that
  // would then sit idle forever.
  if (shared_->idle <= shared_->queue.size() && shared_->threads > 0) {
    shared_->idle_cv.wait_for(lock, kIdleGrace, [&] { return shared_->idle > shared_->queue.size(); });
  }
  if (shared_->idle <= shared_->queue.size()) {
    if (shared_->threads >= max_threads_) {
      return false;
    }
    ++shared_->threads;
    // Detached: a worker stuck in a hung syscall must not block shutdown.
    std::thread(WorkerLoop, shared_).detach();
  }
  shared_->queue.push_back(std::move(task));
  shared_->cv.notify_one();
  return true;
}

std::size_t WorkerPool::ThreadCount() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->threads;
}

void WorkerPool::WorkerLoop(std::shared_ptr<Shared> shared) {
  std::unique_lock<std::mutex> lock(shared->mu);
  for (;;) {
    ++shared->idle;
    shared->idle_cv.notify_all();
    shared->cv.wait(lock, [&] { return shared->stopping || !shared->queue.empty(); });
    --shared->idle;
    if (shared->stopping) {
      --shared->threads;
      return;
    }
    std::function<void()> task = std::move(shared->queue.front());
    shared->queue.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace hostwatch
