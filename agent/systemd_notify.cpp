#include "agent/systemd_notify.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
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
  decltype(&sd_listen_fds) listen_fds = nullptr;
  decltype(&sd_is_socket_inet) is_socket_inet = nullptr;
};

constexpr const char* kSystemdSoname = "libsystemd.so.0";

bool StartedBySystemd() {
  return std::getenv("NOTIFY_SOCKET") != nullptr || std::getenv("WATCHDOG_USEC") != nullptr ||
         std::getenv("LISTEN_FDS") != nullptr;
}

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
  api.listen_fds = reinterpret_cast<decltype(&sd_listen_fds)>(dlsym(lib, "sd_listen_fds"));
  api.is_socket_inet = reinterpret_cast<decltype(&sd_is_socket_inet)>(dlsym(lib, "sd_is_socket_inet"));
  if (api.notify == nullptr || api.watchdog_enabled == nullptr || api.listen_fds == nullptr ||
      api.is_socket_inet == nullptr) {
    logging::Error("cannot load libsystemd: an sd_notify or sd_listen_fds function is missing",
                   {{"err", kSystemdSoname}});
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

// A bound socket's address as --web.listen-address spells it.
std::string AddressOf(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  char host[INET6_ADDRSTRLEN] = "";
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return "";
  }
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

}  // namespace

Result<std::vector<InheritedListener>> TakeListeners() {
  if (std::getenv("LISTEN_FDS") == nullptr) {
    return Status::Error("--web.systemd-socket: no socket passed by systemd (LISTEN_FDS is not set)");
  }
  const SystemdApi* api = Systemd();
  if (api == nullptr) {
    return Status::Error("--web.systemd-socket: cannot load libsystemd");
  }
  const int n = api->listen_fds(1);  // 1: unset LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES
  if (n <= 0) {
    return Status::Error("--web.systemd-socket: no socket passed by systemd" +
                         std::string(n < 0 ? ": " + std::string(std::strerror(-n)) : " (LISTEN_PID is another process)"));
  }
  std::vector<InheritedListener> out;
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; ++fd) {
    if (api->is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) <= 0) {
      return Status::Error("--web.systemd-socket: descriptor " + std::to_string(fd) +
                           " is not a listening TCP socket (the .socket unit needs ListenStream= with an address)");
    }
    out.push_back({fd, AddressOf(fd)});
  }
  return out;
}

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
