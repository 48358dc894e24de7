#include "agent/systemd_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <string>

namespace hostwatch::systemd {
namespace {

// unset_environment=0: the variables stay for later calls (reload, stop,
// watchdog) and for anything that wants to inspect them.
void Send(const std::string& state) { sd_notify(0, state.c_str()); }

// STATUS= is one line; a newline would start a new assignment.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return out;
}

std::uint64_t MonotonicMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

timespec ToTimespec(std::chrono::nanoseconds d) {
  if (d.count() < 0) {
    d = std::chrono::nanoseconds(0);
  }
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(d.count() / 1000000000);
  ts.tv_nsec = static_cast<long>(d.count() % 1000000000);
  return ts;
}

}  // namespace

void NotifyReady(std::string_view status) { Send("READY=1\nSTATUS=" + OneLine(status)); }

void NotifyReloading() {
  Send("RELOADING=1\nSTATUS=reloading configuration\nMONOTONIC_USEC=" + std::to_string(MonotonicMicros()));
}

void NotifyStopping() { Send("STOPPING=1\nSTATUS=shutting down"); }

void NotifyWatchdog() { Send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> WatchdogPingInterval() {
  std::uint64_t usec = 0;
  // > 0: enabled for this process; 0: not enabled; < 0: malformed variables.
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
    return std::nullopt;
  }
  return std::chrono::microseconds(usec / 2);
}

SignalWaiter::SignalWaiter(const sigset_t& signals, std::optional<std::chrono::microseconds> ping_interval)
    : signals_(signals), ping_interval_(ping_interval), next_ping_(std::chrono::steady_clock::now()) {}

int SignalWaiter::Wait() {
  for (;;) {
    if (!ping_interval_) {
      int sig = sigwaitinfo(&signals_, nullptr);
      if (sig > 0) {
        return sig;
      }
      continue;  // EINTR: a signal outside the set interrupted us
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_ping_) {
      NotifyWatchdog();
      next_ping_ = now + *ping_interval_;
    }
    timespec timeout = ToTimespec(next_ping_ - now);
    int sig = sigtimedwait(&signals_, nullptr, &timeout);
    if (sig > 0) {
      return sig;
    }
    // EAGAIN: the ping is due (handled at the top); EINTR: wait again.
  }
}

}  // namespace hostwatch::systemd
