#include "agent/worker_pool.h"

#include <thread>

namespace hostwatch {

WorkerPool::~WorkerPool() {
  std::vector<std::thread> idle;
  {
    std::unique_lock<std::mutex> lock(shared_->mu);
    shared_->stopping = true;
    shared_->cv.notify_all();
    // A task that ends within the grace (a scrape finishing) lets its thread be joined too.
    shared_->idle_cv.wait_for(lock, kStopGrace, [&] { return shared_->busy.empty(); });
    for (std::thread& t : workers_) {
      if (shared_->busy.contains(t.get_id())) {
        t.detach();  // possibly hung: must not block shutdown
      } else {
        idle.push_back(std::move(t));
      }
    }
  }
  for (std::thread& t : idle) {
    t.join();  // returns at once: stopping is checked before any queued task
  }
}

bool WorkerPool::Submit(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(shared_->mu);
  // A worker that has just delivered its last result to a waiting scrape is
  // about to become idle; give it a moment rather than starting a thread that
  // would then sit idle forever.
  if (shared_->idle <= shared_->queue.size() && !workers_.empty()) {
    shared_->idle_cv.wait_for(lock, kIdleGrace, [&] { return shared_->idle > shared_->queue.size(); });
  }
  if (shared_->idle <= shared_->queue.size()) {
    if (workers_.size() >= max_threads_) {
      return false;
    }
    workers_.emplace_back(WorkerLoop, shared_);
  }
  shared_->queue.push_back(std::move(task));
  shared_->cv.notify_one();
  return true;
}

std::size_t WorkerPool::ThreadCount() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return workers_.size();
}

void WorkerPool::WorkerLoop(std::shared_ptr<Shared> shared) {
  std::unique_lock<std::mutex> lock(shared->mu);
  for (;;) {
    ++shared->idle;
    shared->idle_cv.notify_all();
    shared->cv.wait(lock, [&] { return shared->stopping || !shared->queue.empty(); });
    --shared->idle;
    if (shared->stopping) {
      return;
    }
    std::function<void()> task = std::move(shared->queue.front());
    shared->queue.pop_front();
    shared->busy.insert(std::this_thread::get_id());
    lock.unlock();
    task();
    task = nullptr;  // its captures are released outside the lock
    lock.lock();
    shared->busy.erase(std::this_thread::get_id());
  }
}

}  // namespace hostwatch
