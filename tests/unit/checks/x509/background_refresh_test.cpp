#include "collectors/checks/x509/background_refresh.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

// Long enough that a job which is not blocked always finishes within it: the
// tests never depend on how fast the machine is.
constexpr milliseconds kNever{60000};
// For jobs that are blocked: they cannot finish within any bound.
constexpr milliseconds kShort{10};

// A job that blocks (like stat(2) on a dead mount) while the gate is closed, and
// records how it ran. Shared with the job, which may outlive the test's refresher.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = true;
  int runs = 0;
  int running = 0;
  int max_running = 0;
  std::set<std::thread::id> threads;

  void Close() {
    std::lock_guard<std::mutex> lock(mu);
    open = false;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  void Run() {
    std::unique_lock<std::mutex> lock(mu);
    ++runs;
    max_running = std::max(max_running, ++running);
    threads.insert(std::this_thread::get_id());
    cv.wait(lock, [&] { return open; });
    --running;
  }
  int Runs() {
    std::lock_guard<std::mutex> lock(mu);
    return runs;
  }
};

BackgroundRefresh::Job JobOn(const std::shared_ptr<Gate>& gate) {
  return [gate] { gate->Run(); };
}

// After the gate opens, the blocked job returns on its own time.
void WaitUntilNotStuck(const BackgroundRefresh& r) {
  while (r.Stuck()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST(BackgroundRefreshTest, EachRequestGetsAJobThatStartsAfterIt) {
  auto gate = std::make_shared<Gate>();
  BackgroundRefresh r(JobOn(gate));
  r.Start();
  EXPECT_TRUE(r.RequestAndWait(kNever));
  EXPECT_TRUE(r.RequestAndWait(kNever));
  EXPECT_EQ(gate->Runs(), 2);
  EXPECT_FALSE(r.Stuck());
}

TEST(BackgroundRefreshTest, BlockedJobIsStuckAndNotWaitedForAgain) {
  auto gate = std::make_shared<Gate>();
  BackgroundRefresh r(JobOn(gate));
  r.Start();
  gate->Close();
  EXPECT_FALSE(r.RequestAndWait(kShort));
  EXPECT_TRUE(r.Stuck());
  // Overrun once: later callers return at once (with kNever this test would
  // otherwise take a minute) and queue no job behind the blocked one.
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(r.RequestAndWait(kNever));
  }
  EXPECT_EQ(gate->Runs(), 1);

  gate->Open();  // the mount answers again
  WaitUntilNotStuck(r);
  EXPECT_TRUE(r.RequestAndWait(kNever));
  EXPECT_FALSE(r.Stuck());
  EXPECT_EQ(gate->Runs(), 2);
  EXPECT_EQ(gate->max_running, 1);
}

TEST(BackgroundRefreshTest, StopThenStartKeepsTheBlockedThreadInsteadOfAddingOne) {
  auto gate = std::make_shared<Gate>();
  BackgroundRefresh r(JobOn(gate));
  r.Start();
  gate->Close();
  EXPECT_FALSE(r.RequestAndWait(kShort));
  for (int i = 0; i < 3; ++i) {  // reloads that drop the patterns and bring them back
    r.Stop();
    EXPECT_FALSE(r.RequestAndWait(kNever));  // stopped: no job, no wait
    r.Start();
  }
  gate->Open();
  WaitUntilNotStuck(r);
  EXPECT_TRUE(r.RequestAndWait(kNever));
  std::lock_guard<std::mutex> lock(gate->mu);
  EXPECT_EQ(gate->threads.size(), 1u);
  EXPECT_EQ(gate->max_running, 1);
}

TEST(BackgroundRefreshTest, DestructorDoesNotWaitForABlockedJob) {
  auto gate = std::make_shared<Gate>();
  {
    BackgroundRefresh r(JobOn(gate));
    r.Start();
    gate->Close();
    EXPECT_FALSE(r.RequestAndWait(kShort));
  }  // returns while the job is still blocked (if it waited, the test would hang here)
  EXPECT_EQ(gate->Runs(), 1);
  gate->Open();  // the detached thread finishes its job on the gate it co-owns, then exits
}

TEST(BackgroundRefreshTest, NothingRunsBeforeStart) {
  auto gate = std::make_shared<Gate>();
  BackgroundRefresh r(JobOn(gate));
  EXPECT_FALSE(r.RequestAndWait(kNever));
  EXPECT_EQ(gate->Runs(), 0);
}

}  // namespace
}  // namespace hostwatch
