// hostwatch entry point: flags -> configuration -> server -> wait for signals.
// Exit codes: 0 normal stop, 1 runtime failure (port in use), 2 bad flags/config.
#include <curl/curl.h>
#include <signal.h>

#include <cstdio>
#include <variant>

#include "agent/agent.h"
#include "agent/build_info.h"
#include "agent/logging.h"

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    out += (out.empty() ? "" : ",") + s;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hostwatch;
  // Block the signals we handle before any thread starts, so every thread
  // inherits the mask and only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::variant<AgentFlags, int> parsed = ParseFlags(argc, argv);
  if (std::holds_alternative<int>(parsed)) {
    return std::get<int>(parsed);
  }
  AgentFlags flags = std::get<AgentFlags>(std::move(parsed));
  logging::Init(flags.log_level, flags.log_format);
  curl_global_init(CURL_GLOBAL_DEFAULT);

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
                                      {"address", Join(agent.BoundAddresses())},
                                      {"telemetry_path", flags.telemetry_path}});

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) {
      continue;
    }
    if (sig == SIGHUP) {
      logging::Info("reload requested", {{"signal", "SIGHUP"}});
      agent.Reload();
      continue;
    }
    logging::Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  agent.Stop();
  curl_global_cleanup();
  return 0;
}
