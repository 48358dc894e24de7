#include "collectors/checks/x509/background_refresh.h"

#include <condition_variable>

namespace hostwatch {

// Shared by the object and its thread, so that a thread blocked in the job
// outlives the object safely.
struct BackgroundRefresh::State {
  explicit State(Job j) : job(std::move(j)) {}
  const Job job;
  mutable std::mutex mu;
  std::condition_variable wake_cv;  // a request, or stop
  std::condition_variable done_cv;  // a job finished, or the thread stopped
  // Everything below is guarded by mu. Requests are numbered; a job serves
  // every request made before it started.
  std::uint64_t requested = 0;
  std::uint64_t completed = 0;  // the last request the finished jobs served
  bool running = false;         // a job runs now
  bool overran = false;         // ... and a RequestAndWait gave up on it
  bool stop = false;
  bool alive = false;  // the thread has not left Loop
};

BackgroundRefresh::BackgroundRefresh(Job job) : state_(std::make_shared<State>(std::move(job))) {}

BackgroundRefresh::~BackgroundRefresh() {
  std::lock_guard<std::mutex> thread_lock(thread_mu_);
  bool busy = false;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
    busy = state_->running;
    state_->wake_cv.notify_all();
  }
  if (!thread_.joinable()) {
    return;
  }
  // An idle thread sees stop at once and exits, so joining it is quick; a
  // busy one may be blocked in the kernel for good and must not block us.
  if (busy) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

void BackgroundRefresh::Start() {
  std::lock_guard<std::mutex> thread_lock(thread_mu_);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = false;
    if (state_->alive) {
      return;  // still running (maybe blocked in a job after a Stop): keep it
    }
    state_->alive = true;
  }
  if (thread_.joinable()) {
    thread_.join();  // it has left Loop: returns at once
  }
  thread_ = std::thread(Loop, state_);
}

void BackgroundRefresh::Stop() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->stop = true;
  state_->wake_cv.notify_all();
  state_->done_cv.notify_all();
}

bool BackgroundRefresh::RequestAndWait(std::chrono::milliseconds bound) {
  std::unique_lock<std::mutex> lock(state_->mu);
  if (state_->stop || !state_->alive || state_->overran) {
    return false;  // an overrun job is still running: waiting again would cost every scrape the bound
  }
  const std::uint64_t id = ++state_->requested;
  state_->wake_cv.notify_one();
  state_->done_cv.wait_for(lock, bound, [&] { return state_->completed >= id || state_->stop; });
  if (state_->completed >= id) {
    return true;
  }
  state_->overran = state_->running;
  return false;
}

bool BackgroundRefresh::Stuck() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->overran;
}

void BackgroundRefresh::Loop(std::shared_ptr<State> state) {
  std::unique_lock<std::mutex> lock(state->mu);
  for (;;) {
    state->wake_cv.wait(lock, [&] { return state->stop || state->requested > state->completed; });
    if (state->stop) {
      state->alive = false;
      state->done_cv.notify_all();
      return;
    }
    const std::uint64_t id = state->requested;
    state->running = true;
    lock.unlock();
    state->job();
    lock.lock();
    state->running = false;
    state->overran = false;
    state->completed = id;
    state->done_cv.notify_all();
  }
}

}  // namespace hostwatch
