#include "agent/systemd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hostwatch {
namespace {

// A real notification socket, as systemd would provide: an abstract
// AF_UNIX datagram socket named by NOTIFY_SOCKET=@name. The environment is
// restored when the listener goes away so tests do not leak into each other.
class NotifyListener {
 public:
  NotifyListener() {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    name_ = "hostwatch-notify-test-" + std::to_string(getpid());
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    name_.copy(addr.sun_path + 1, name_.size());  // sun_path[0] == '\0': abstract namespace
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name_.size());
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0;
    setenv("NOTIFY_SOCKET", ("@" + name_).c_str(), 1);
  }
  ~NotifyListener() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  bool bound() const { return bound_; }

  // Every datagram already queued (sd_notify sends synchronously, so
  // whatever the code under test sent is here).
  std::vector<std::string> Drain() {
    std::vector<std::string> out;
    char buf[4096];
    pollfd p{fd_, POLLIN, 0};
    while (poll(&p, 1, 0) == 1) {
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n < 0) {
        break;
      }
      out.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  std::string name_;
};

int CountEqual(const std::vector<std::string>& v, const std::string& s) {
  int n = 0;
  for (const auto& x : v) {
    n += x == s ? 1 : 0;
  }
  return n;
}

TEST(SystemdNotifyTest, ReadyCarriesStatusLineOnOneLine) {
  NotifyListener listener;
  ASSERT_TRUE(listener.bound());
  systemd::NotifyReady("serving on 127.0.0.1:9555\nforged=1");
  EXPECT_EQ(listener.Drain(), std::vector<std::string>{"READY=1\nSTATUS=serving on 127.0.0.1:9555 forged=1"});
}

TEST(SystemdNotifyTest, ReloadingCarriesMonotonicTimestamp) {
  NotifyListener listener;
  ASSERT_TRUE(listener.bound());
  systemd::NotifyReloading();
  std::vector<std::string> got = listener.Drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].rfind("RELOADING=1\n", 0), 0u) << got[0];
  EXPECT_NE(got[0].find("\nMONOTONIC_USEC="), std::string::npos) << got[0];
}

TEST(SystemdNotifyTest, StoppingAndWatchdogMessages) {
  NotifyListener listener;
  ASSERT_TRUE(listener.bound());
  systemd::NotifyWatchdog();
  systemd::NotifyStopping();
  EXPECT_EQ(listener.Drain(), (std::vector<std::string>{"WATCHDOG=1", "STOPPING=1\nSTATUS=shutting down"}));
}

TEST(SystemdNotifyTest, WatchdogIntervalIsHalfOfWatchdogUsec) {
  NotifyListener listener;
  setenv("WATCHDOG_USEC", "30000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  std::optional<std::chrono::microseconds> interval = systemd::WatchdogPingInterval();
  ASSERT_TRUE(interval.has_value());
  EXPECT_EQ(interval->count(), 15000000);
}

TEST(SystemdNotifyTest, WatchdogOffWhenUnsetMalformedOrForAnotherProcess) {
  NotifyListener listener;
  EXPECT_FALSE(systemd::WatchdogPingInterval().has_value()) << "WATCHDOG_USEC unset";
  setenv("WATCHDOG_USEC", "not-a-number", 1);
  EXPECT_FALSE(systemd::WatchdogPingInterval().has_value()) << "malformed";
  setenv("WATCHDOG_USEC", "30000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  EXPECT_FALSE(systemd::WatchdogPingInterval().has_value()) << "another process's watchdog";
}

// Blocks SIGUSR1 for this thread (and threads it starts) for the test's
// duration, as main() does for its control signals.
class BlockedSignal {
 public:
  BlockedSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedSignal() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  BlockedSignal(const BlockedSignal&) = delete;
  BlockedSignal& operator=(const BlockedSignal&) = delete;
  const sigset_t& set() const { return set_; }

 private:
  sigset_t set_;
  sigset_t old_;
};

TEST(SignalWaiterTest, ReturnsPendingSignalWithoutWatchdog) {
  BlockedSignal blocked;
  pthread_kill(pthread_self(), SIGUSR1);
  systemd::SignalWaiter waiter(blocked.set(), std::nullopt);
  EXPECT_EQ(waiter.Wait(), SIGUSR1);
}

TEST(SignalWaiterTest, PingsWatchdogWhileWaiting) {
  NotifyListener listener;
  ASSERT_TRUE(listener.bound());
  BlockedSignal blocked;
  const pthread_t main_thread = pthread_self();
  systemd::SignalWaiter waiter(blocked.set(), std::chrono::milliseconds(20));
  // 200 ms of waiting at a 20 ms interval is about 10 pings; ask for a third
  // of that so a loaded machine does not make the test flaky.
  std::thread sender([main_thread] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    pthread_kill(main_thread, SIGUSR1);
  });
  int sig = waiter.Wait();
  sender.join();
  EXPECT_EQ(sig, SIGUSR1);
  EXPECT_GE(CountEqual(listener.Drain(), "WATCHDOG=1"), 3);
}

TEST(SignalWaiterTest, SignalStreamDoesNotStarveWatchdog) {
  NotifyListener listener;
  ASSERT_TRUE(listener.bound());
  BlockedSignal blocked;
  systemd::SignalWaiter waiter(blocked.set(), std::chrono::milliseconds(20));
  // A signal every 5 ms for 200 ms: each wait ends before the ping interval,
  // yet pings must still go out on schedule.
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  int signals = 0;
  while (std::chrono::steady_clock::now() < end && signals < 1000) {
    pthread_kill(pthread_self(), SIGUSR1);
    ASSERT_EQ(waiter.Wait(), SIGUSR1);
    ++signals;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(CountEqual(listener.Drain(), "WATCHDOG=1"), 3) << signals << " signals";
}

}  // namespace
}  // namespace hostwatch
