#include "collectors/core/statfs_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace hostwatch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A statfs stand-in whose calls for "hung" paths block until Release(). Held
// by shared_ptr so that runner threads still blocked when a test ends never
// touch freed memory.
class FakeStatfs {
 public:
  explicit FakeStatfs(std::set<std::string> hung) : hung_(std::move(hung)) {}

  StatfsFunction Function(const std::shared_ptr<FakeStatfs>& self) {
    return [self](const std::string& path) { return self->Call(path); };
  }

  StatfsResult Call(const std::string& path) {
    int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    ++calls_;
    if (hung_.count(path) != 0) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return released_; });
    }
    --in_flight_;
    StatfsResult r;
    r.size_bytes = 4096;
    return r;
  }

  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

  // Waits (bounded) until no call is running, so threads are idle at test end.
  bool WaitIdle() {
    for (int i = 0; i < 500 && in_flight_.load() > 0; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return in_flight_.load() == 0;
  }

  int calls() const { return calls_.load(); }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  const std::set<std::string> hung_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::atomic<int> calls_{0};
};

std::vector<StatfsRunner::Request> Requests(std::initializer_list<const char*> paths) {
  std::vector<StatfsRunner::Request> r;
  for (const char* p : paths) {
    r.push_back({p, p});
  }
  return r;
}

TEST(StatfsRunnerTest, ReturnsResultsInRequestOrder) {
  auto fake = std::make_shared<FakeStatfs>(std::set<std::string>{});
  StatfsRunner runner(fake->Function(fake), 4, 2s, std::make_shared<StatfsThreads>());
  std::vector<StatfsRunner::Reply> r = runner.Run(Requests({"/a", "/b", "/c"}));
  ASSERT_EQ(r.size(), 3u);
  for (const auto& reply : r) {
    EXPECT_EQ(reply.outcome, StatfsRunner::Outcome::kDone);
    EXPECT_EQ(reply.result.size_bytes, 4096);
  }
  EXPECT_LE(runner.threads().ThreadCount(), 3u);
}

TEST(StatfsRunnerTest, HungCallTimesOutThenIsSkippedUntilItReturns) {
  auto fake = std::make_shared<FakeStatfs>(std::set<std::string>{"/nfs"});
  StatfsRunner runner(fake->Function(fake), 4, 500ms, std::make_shared<StatfsThreads>());

  auto start = Clock::now();
  std::vector<StatfsRunner::Reply> r = runner.Run(Requests({"/", "/nfs", "/boot"}));
  auto took = Clock::now() - start;
  EXPECT_GE(took, 490ms);
  EXPECT_LT(took, 3s);  // the timeout, not forever
  EXPECT_EQ(r[0].outcome, StatfsRunner::Outcome::kDone);
  EXPECT_EQ(r[1].outcome, StatfsRunner::Outcome::kTimedOut);
  EXPECT_EQ(r[2].outcome, StatfsRunner::Outcome::kDone);
  EXPECT_EQ(runner.threads().StuckCount(), 1u);

  // The next scrape does not call it again and does not wait.
  start = Clock::now();
  r = runner.Run(Requests({"/", "/nfs", "/boot"}));
  EXPECT_LT(Clock::now() - start, 300ms);
  EXPECT_EQ(r[1].outcome, StatfsRunner::Outcome::kStuck);
  EXPECT_EQ(r[0].outcome, StatfsRunner::Outcome::kDone);
  EXPECT_EQ(fake->calls(), 5);

  // Once the blocked call returns, the mount is statted again.
  fake->Release();
  ASSERT_TRUE(fake->WaitIdle());
  for (int i = 0; i < 100 && runner.threads().StuckCount() != 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(runner.threads().StuckCount(), 0u);
  r = runner.Run(Requests({"/nfs"}));
  EXPECT_EQ(r[0].outcome, StatfsRunner::Outcome::kDone);
}

TEST(StatfsRunnerTest, ThreadCountStaysBoundedWhenEveryMountHangs) {
  std::set<std::string> hung;
  std::vector<StatfsRunner::Request> requests;
  for (int i = 0; i < 20; ++i) {
    std::string p = "/hung" + std::to_string(i);
    hung.insert(p);
    requests.push_back({p, p});
  }
  auto fake = std::make_shared<FakeStatfs>(hung);
  {
    StatfsRunner runner(fake->Function(fake), 3, 100ms, std::make_shared<StatfsThreads>());
    auto start = Clock::now();
    for (int scrape = 0; scrape < 10; ++scrape) {
      std::vector<StatfsRunner::Reply> r = runner.Run(requests);
      EXPECT_LE(runner.threads().ThreadCount(), 3u);
      for (const auto& reply : r) {
        EXPECT_NE(reply.outcome, StatfsRunner::Outcome::kDone);
      }
    }
    // First scrape waits one timeout; later ones see every thread stuck and return at once.
    EXPECT_LT(Clock::now() - start, 3s);
    EXPECT_EQ(fake->max_in_flight(), 3);
    EXPECT_EQ(fake->calls(), 3);
    EXPECT_EQ(runner.threads().StuckCount(), 3u);
  }
  // The runner is gone; its stuck threads finish once the mounts answer.
  fake->Release();
  EXPECT_TRUE(fake->WaitIdle());
}

// Issue 16 item 4: each configuration reload builds a new filesystem collector
// and runner. On the same StatfsThreads, a new runner must not call a mount
// still hung under an old one, nor start threads beyond its bound.
TEST(StatfsRunnerTest, RunnersOnSharedThreadsInheritStuckKeysAcrossReloads) {
  auto fake = std::make_shared<FakeStatfs>(std::set<std::string>{"/nfs"});
  auto threads = std::make_shared<StatfsThreads>();
  for (int reload = 0; reload < 10; ++reload) {
    StatfsRunner runner(fake->Function(fake), 2, 50ms, threads);
    std::vector<StatfsRunner::Reply> r = runner.Run(Requests({"/", "/nfs"}));
    EXPECT_EQ(r[0].outcome, StatfsRunner::Outcome::kDone) << reload;
    EXPECT_EQ(r[1].outcome, reload == 0 ? StatfsRunner::Outcome::kTimedOut : StatfsRunner::Outcome::kStuck) << reload;
    EXPECT_LE(threads->ThreadCount(), 2u) << reload;
  }
  EXPECT_EQ(fake->calls(), 10 + 1) << "the hung mount was called again after a reload";
  EXPECT_EQ(threads->StuckCount(), 1u);

  // The stuck call returns after its runner is gone: the key is free again for the next runner.
  fake->Release();
  ASSERT_TRUE(fake->WaitIdle());
  for (int i = 0; i < 100 && threads->StuckCount() != 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  StatfsRunner runner(fake->Function(fake), 2, 2s, threads);
  EXPECT_EQ(runner.Run(Requests({"/nfs"}))[0].outcome, StatfsRunner::Outcome::kDone);
}

TEST(StatfsRunnerTest, DestructorDoesNotWaitForHungCalls) {
  auto fake = std::make_shared<FakeStatfs>(std::set<std::string>{"/nfs"});
  auto start = Clock::now();
  {
    StatfsRunner runner(fake->Function(fake), 2, 50ms, std::make_shared<StatfsThreads>());
    runner.Run(Requests({"/nfs"}));
  }
  EXPECT_LT(Clock::now() - start, 2s);
  fake->Release();
  EXPECT_TRUE(fake->WaitIdle());
}

TEST(StatfsRunnerTest, SystemStatfsReportsRealFilesystemsAndErrno) {
  StatfsResult root = SystemStatfs("/");
  EXPECT_EQ(root.error, 0);
  EXPECT_GT(root.size_bytes, 0);
  EXPECT_LE(root.avail_bytes, root.size_bytes);
  EXPECT_EQ(SystemStatfs("/nonexistent/path/for/statfs").error, ENOENT);
}

}  // namespace
}  // namespace hostwatch
