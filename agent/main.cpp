// hostwatch entry point: flags -> configuration -> server -> wait for signals.
// Exit codes: 0 normal stop, 1 runtime failure (port in use), 2 bad flags/config.
#include <civetweb.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <ctime>
#include <variant>

#include "agent/agent.h"
#include "agent/build_info.h"
#include "agent/logging.h"
#include "agent/systemd_notify.h"
#include "collectors/core/curl_api.h"
#include "collectors/core/strings.h"

namespace {

// Go raises the soft open-file limit to the hard one at start, so node_exporter users never
// meet the 1024 default; hostwatch does the same because each CivetWeb worker holds an eventfd
// (ALTERNATIVE_QUEUE) besides the connection it serves: workers start on demand, but ~500 busy
// connections would otherwise exhaust a 1024 soft limit.
// Returns the soft limit in effect afterwards.
rlim_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return RLIM_INFINITY;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlim_t raised = limit.rlim_max;
    limit.rlim_cur = raised;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      return raised;
    }
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

// Each worker needs its eventfd and its connection, plus listeners, check sockets and files,
// plus the /proc and /sys files collectors keep open between scrapes (CachedFiles: at most 8
// per collector, 48 for cpu, 128 for netclass; about 290 with every collector on). A limit
// that cannot hold them all is refused at start with the numbers, rather than failing
// scrapes or connections later.
constexpr rlim_t kKeptCollectorFiles = 320;

bool EnoughOpenFiles(rlim_t soft_limit, int max_connections) {
  const rlim_t needed = 2 * static_cast<rlim_t>(max_connections) + 64 + kKeptCollectorFiles;
  if (soft_limit != RLIM_INFINITY && soft_limit < needed) {
    std::fprintf(stderr,
                 "hostwatch: --web.max-connections=%d needs about %llu open files, but the limit is %llu: "
                 "raise it (LimitNOFILE= in the unit, ulimit -n) or lower the flag\n",
                 max_connections, static_cast<unsigned long long>(needed),
                 static_cast<unsigned long long>(soft_limit));
    return false;
  }
  return true;
}

// Process-wide setup that must happen before any thread starts. Returns the signals
// the main loop waits for (blocked in every thread from here on).
sigset_t PrepareProcess() {
  // glibc gives each thread that allocates its own arena (HTTP workers, scrape
  // pool, statfs helpers, check scheduler), and each keeps its freed pages:
  // two arenas cut anonymous RSS by about a third at no measurable CPU cost.
  mallopt(M_ARENA_MAX, 2);
  // Block the signals we handle before any thread starts, so every thread
  // inherits the mask and only the main loop receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // glibc loads the time zone, and allocates its abbreviations, on the first localtime_r. Done here,
  // before any thread exists, every later read of tm_zone (log timestamps, the time collector) is
  // ordered after it; done lazily, the first write could come from one thread while another reads,
  // which ThreadSanitizer reported (glibc's own lock is invisible to it).
  tzset();
  std::time_t now = std::time(nullptr);
  struct tm local {};
  localtime_r(&now, &local);
  return signals;
}

// Serves until SIGTERM or SIGINT, reloading on SIGHUP. systemd (Type=notify) hears
// ready only now that the listeners are bound; the watchdog is pinged from here.
void ServeUntilStopped(hostwatch::Agent& agent, const sigset_t& signals) {
  using namespace hostwatch;
  const std::string serving = "serving on " + hostwatch::Join(agent.BoundAddresses(), ",");
  systemd::NotifyReady(serving);
  systemd::SignalWaiter waiter(signals, systemd::WatchdogPingInterval());
  for (;;) {
    int sig = waiter.Wait();
    if (sig != SIGHUP) {
      logging::Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      return;
    }
    logging::Info("reload requested", {{"signal", "SIGHUP"}});
    systemd::NotifyReloading();
    Status reloaded = agent.Reload();
    systemd::NotifyReady(reloaded.ok() ? serving : serving + "; last reload failed: " + reloaded.message());
  }
}

// --web.systemd-socket: serve on the sockets systemd passed, at their addresses. False (logged) when
// there are none or one is not a listening TCP socket.
bool UseInheritedListeners(hostwatch::AgentFlags& flags) {
  using namespace hostwatch;
  Result<std::vector<systemd::InheritedListener>> listeners = systemd::TakeListeners();
  if (!listeners.ok()) {
    logging::Error("cannot start web server", {{"err", listeners.status().message()}});
    return false;
  }
  flags.listen_addresses.clear();
  for (const systemd::InheritedListener& l : listeners.value()) {
    flags.listen_addresses.push_back(l.address);
    flags.inherited_listen_fds.push_back(l.fd);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hostwatch;
  const sigset_t signals = PrepareProcess();
  const rlim_t open_file_limit = RaiseOpenFileLimit();

  std::variant<AgentFlags, int> parsed = ParseFlags(argc, argv);
  if (std::holds_alternative<int>(parsed)) {
    return std::get<int>(parsed);
  }
  AgentFlags flags = std::get<AgentFlags>(std::move(parsed));
  if (!flags.config_check && !EnoughOpenFiles(open_file_limit, flags.max_connections)) {
    return 2;
  }
  logging::Init(flags.log_level, flags.log_format);
  // libcurl is not initialised here: it is loaded when the configuration first has an HTTP check
  // (collectors/core/curl_api.h). Nor is OpenSSL: MG_FEATURES_TLS would run OPENSSL_init_ssl
  // (openssl.cnf, providers, error strings: 1.8 MiB more file-backed RSS) in every agent, while
  // CivetWeb's mg_start initialises it anyway, before its threads start, when a listener is TLS
  // (init_ssl_ctx -> initialize_openssl), i.e. when the web config enables TLS (a reload cannot
  // switch TLS on: web_security.cpp refuses it). IPv6 is only confirmed here.
  mg_init_library(MG_FEATURES_IPV6);

  if (flags.systemd_socket && !flags.config_check && !UseInheritedListeners(flags)) {
    return 1;
  }
  Agent agent(flags);
  if (Status s = agent.Configure(); !s.ok()) {
    if (flags.config_check) {
      std::fprintf(stderr, "%s\n", s.message().c_str());  // plain file:line:column lines for people
    } else {
      logging::LogEachLine("invalid configuration", s.message());
    }
    return 2;
  }
  if (flags.config_check) {
    std::fprintf(stdout, "configuration OK\n");
    return 0;
  }
  if (Status s = agent.Serve(); !s.ok()) {
    logging::Error("cannot start web server", {{"err", s.message()}});
    return 1;
  }
  logging::Info("hostwatch started", {{"version", kBuildVersion},
                                      {"address", hostwatch::Join(agent.BoundAddresses(), ",")},
                                      {"telemetry_path", flags.telemetry_path}});
  ServeUntilStopped(agent, signals);
  systemd::NotifyStopping();
  agent.Stop();
  mg_exit_library();
  CleanupCurl();
  return 0;
}
