#include "agent/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace hostwatch {
namespace {

TEST(WorkerPoolTest, RefusesWorkBeyondThreadCap) {
  WorkerPool pool(1);
  // Shared with the worker thread, which may still be returning from wait()
  // when this test ends.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    std::atomic<bool> started{false};
    std::atomic<bool> finished{false};
  };
  auto state = std::make_shared<State>();
  ASSERT_TRUE(pool.Submit([state] {
    state->started = true;
    std::unique_lock<std::mutex> lock(state->mu);
    state->cv.wait(lock, [&] { return state->release; });
    state->finished = true;
  }));
  while (!state->started) {
    std::this_thread::yield();
  }
  EXPECT_FALSE(pool.Submit([] {}));
  {
    std::lock_guard<std::mutex> lock(state->mu);
    state->release = true;
  }
  state->cv.notify_all();
  while (!state->finished) {
    std::this_thread::yield();
  }
}

}  // namespace
}  // namespace hostwatch
