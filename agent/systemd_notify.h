// The service manager side of running under systemd (Type=notify): readiness,
// reload and stop notifications, and watchdog keep-alives, all through
// libsystemd's sd_notify. Outside systemd (NOTIFY_SOCKET and WATCHDOG_USEC
// unset) every call is a no-op and libsystemd is not even loaded (dlopen on
// first use), so the agent behaves the same when started by hand or by tests.
//
// The functions are meant for the main (control) thread; sd_notify itself is
// thread-safe, so calling them from elsewhere is harmless but pointless.
#pragma once

#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch::systemd {

// READY=1 with a human-readable STATUS= line that `systemctl status` shows.
// Send it only once the listeners are bound: systemd then starts units
// ordered after us, and a scrape at that moment already succeeds.
void NotifyReady(std::string_view status);

// RELOADING=1 (with MONOTONIC_USEC, which systemd >= 253 requires for
// Type=notify-reload and older versions ignore). Follow with NotifyReady when
// the reload finished, successfully or not: the agent keeps serving either way.
void NotifyReloading();

// STOPPING=1: systemd shows "deactivating" instead of assuming a crash while
// in-flight work drains.
void NotifyStopping();

// WATCHDOG=1 keep-alive.
void NotifyWatchdog();

// How often to send WATCHDOG=1: half of WATCHDOG_USEC (systemd's advice),
// or nullopt when the watchdog is off for this process (no WatchdogSec=, not
// under systemd, or WATCHDOG_PID names another process).
std::optional<std::chrono::microseconds> WatchdogPingInterval();

// One listening socket passed by systemd's socket activation (a .socket unit).
struct InheritedListener {
  int fd;
  std::string address;  // its bound address as --web.listen-address spells it: "127.0.0.1:9555", "[::]:9555"
};

// --web.systemd-socket: the sockets systemd passed (sd_listen_fds; LISTEN_FDS and LISTEN_PID are
// then unset, as node_exporter does, so children do not take them). Error when there are none,
// when libsystemd cannot be loaded, or when one is not a listening TCP socket (the agent serves
// HTTP on every one of them).
Result<std::vector<InheritedListener>> TakeListeners();

// Waits for the control signals (SIGHUP, SIGTERM, ...) on the main thread and
// sends WATCHDOG=1 every `ping_interval` while it waits. The next ping is
// scheduled from a deadline, not from the last signal, so a steady stream of
// signals cannot starve the watchdog.
// Not thread-safe: one waiter, used by one thread.
class SignalWaiter {
 public:
  // `signals` must already be blocked in every thread (pthread_sigmask before
  // any thread starts), otherwise another thread may take them.
  SignalWaiter(const sigset_t& signals, std::optional<std::chrono::microseconds> ping_interval);

  // Returns the number of the next signal in the set; never fails.
  int Wait();

 private:
  sigset_t signals_;
  std::optional<std::chrono::microseconds> ping_interval_;
  std::chrono::steady_clock::time_point next_ping_;
};

}  // namespace hostwatch::systemd
