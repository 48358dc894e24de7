#include "agent/systemd_notify.h"

#include <dlfcn.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/logging.h"

namespace hostwatch::systemd {
namespace {

// libsystemd is loaded with dlopen() only when systemd handed us a notification socket or a
// watchdog. Outside systemd (by hand, in containers, in tests) sd_notify and sd_watchdog_enabled
// do nothing, yet linking libsystemd maps it and the libraries it needs (libgcrypt, libgpg-error,
// libzstd, liblzma, liblz4, libcap): about 1 MiB of resident memory for no use. The header still
// gives the functions' types, so the calls keep their compile-time checks.
struct SystemdApi {
  decltype(&sd_notify) notify = nullptr;
  decltype(&sd_watchdog_enabled) watchdog_enabled = nullptr;
};

constexpr const char* kSystemdSoname = "libsystemd.so.0";

bool StartedBySystemd() { return std::getenv("NOTIFY_SOCKET") != nullptr || std::getenv("WATCHDOG_USEC") != nullptr; }

// nullptr when not under systemd, or when libsystemd cannot be loaded (then logged once: with
// Type=notify, systemd will time the start out, and the log says why).
const SystemdApi* LoadSystemd() {
  void* lib = dlopen(kSystemdSoname, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    logging::Error("cannot load libsystemd: readiness and watchdog notifications are not sent",
                   {{"err", why != nullptr ? why : kSystemdSoname}});
    return nullptr;
  }
  static SystemdApi api;
  api.notify = reinterpret_cast<decltype(&sd_notify)>(dlsym(lib, "sd_notify"));
  api.watchdog_enabled = reinterpret_cast<decltype(&sd_watchdog_enabled)>(dlsym(lib, "sd_watchdog_enabled"));
  if (api.notify == nullptr || api.watchdog_enabled == nullptr) {
    logging::Error("cannot load libsystemd: sd_notify or sd_watchdog_enabled missing", {{"err", kSystemdSoname}});
    return nullptr;
  }
  return &api;
}

const SystemdApi* Systemd() {
  static const SystemdApi* const api = StartedBySystemd() ? LoadSystemd() : nullptr;
  return api;
}

// unset_environment=0: the variables stay for later calls (reload, stop,
// watchdog) and for anything that wants to inspect them.
void Send(const std::string& state) {
  if (const SystemdApi* api = Systemd()) {
    api->notify(0, state.c_str());
  }
}

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
  const SystemdApi* api = Systemd();
  // > 0: enabled for this process; 0: not enabled; < 0: malformed variables.
  if (api == nullptr || api->watchdog_enabled(0, &usec) <= 0 || usec == 0) {
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
