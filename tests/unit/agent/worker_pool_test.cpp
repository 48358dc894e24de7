#include "agent/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
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

// Counts the thread-local objects whose thread has ended, as OpenSSL's per-thread state is freed.
std::atomic<int> g_thread_exits{0};
struct ThreadExitCounter {
  ~ThreadExitCounter() { ++g_thread_exits; }
};
thread_local ThreadExitCounter t_counter;

TEST(WorkerPoolTest, EndingThePoolEndsItsThreadsThreadLocalsIncluded) {
  g_thread_exits = 0;
  std::mutex mu;
  std::set<std::thread::id> ran;
  {
    WorkerPool pool(4);
    std::atomic<int> done{0};
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(pool.Submit([&] {
        (void)&t_counter;  // this thread now has one, destroyed when the thread ends
        std::lock_guard<std::mutex> lock(mu);
        ran.insert(std::this_thread::get_id());
        ++done;
      }));
    }
    while (done < 3) {
      std::this_thread::yield();
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(g_thread_exits.load(), static_cast<int>(ran.size()));
}

TEST(WorkerPoolTest, AHungTaskDoesNotHoldTheEndOfThePool) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto started = std::make_shared<std::atomic<bool>>(false);
  {
    WorkerPool pool(1);
    ASSERT_TRUE(pool.Submit([release, started] {
      *started = true;
      while (!*release) {  // a collector stuck in a syscall
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }));
    while (!*started) {
      std::this_thread::yield();
    }
  }  // returns although the task is still running (the test would hang otherwise)
  EXPECT_FALSE(*release);
  *release = true;
}

}  // namespace
}  // namespace hostwatch
