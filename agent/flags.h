// Command-line flags, spelled like node_exporter's wherever it has the flag.
// Parsing lives in flags.cpp alone because CLI11 is expensive to compile.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "agent/logging.h"
#include "collectors/core/proc_fs.h"

namespace hostwatch {

// Which collectors the user switched on or off explicitly.
struct CollectorSelection {
  bool disable_defaults = false;            // --collector.disable-defaults
  std::map<std::string, bool> explicit_state;  // --collector.<name> / --no-collector.<name>
};

struct AgentFlags {
  std::vector<std::string> listen_addresses = {":9555"};  // --web.listen-address (repeatable)
  // --web.allowed-hosts (repeatable): the Host names answered, others get 421; empty = any.
  std::vector<std::string> allowed_hosts;
  std::string telemetry_path = "/metrics";                // --web.telemetry-path
  std::string web_config_file;                            // --web.config.file: TLS and basic auth; "" = none
  int max_requests = 10;                                  // --web.max-requests: concurrent scrapes; more get 503; 0: no limit
  int max_connections = 256;                              // --web.max-connections: HTTP worker threads
  bool enable_lifecycle = false;                          // --web.enable-lifecycle: POST /-/reload
  // --web.systemd-socket: serve on the sockets systemd passed instead of listen_addresses; main()
  // then replaces listen_addresses by their addresses and fills inherited_listen_fds.
  bool systemd_socket = false;
  std::vector<int> inherited_listen_fds;
  bool disable_exporter_metrics = false;  // --web.disable-exporter-metrics: no process_*, no hostwatch_http_*
  FsRoots roots;                                          // --path.procfs/sysfs/rootfs/udev.data
  CollectorSelection selection;
  // --collector.<name>.<key>=value given on the command line, keyed "<name>.<key>".
  std::map<std::string, std::string> collector_options;
  std::chrono::milliseconds collector_timeout{8000};      // --scrape.collector-timeout
  std::string config_file = "/etc/hostwatch/hostwatch.yml";  // --config.file
  bool config_file_given = false;                         // named explicitly: missing is an error
  bool config_check = false;                              // --config.check
  logging::Level log_level = logging::Level::kInfo;       // --log.level
  logging::Format log_format = logging::Format::kLogfmt;  // --log.format
};

// Parses argv. Returns the flags, or an exit code after printing help,
// the version (0) or the reason the flags are bad (2).
std::variant<AgentFlags, int> ParseFlags(int argc, char** argv);

// The long names (without "--") of every flag ParseFlags accepts, collector flags included.
std::set<std::string> AgentFlagNames();

// Converts a --web.listen-address value (Go's host:port syntax, as node_exporter takes it)
// into a CivetWeb listening_ports entry:
//   ":9555", "[::]:9555"  -> "+9555"  every address, IPv4 and IPv6 (one dual-stack socket, like Go)
//   "0.0.0.0:9555"        -> "0.0.0.0:9555"  every IPv4 address only
//   "[::1]:9555"          -> "[::1]:9555"    one IPv6 address
//   "host:9555"           -> "host:9555"     an IPv4 address or a name CivetWeb resolves
// Errors: a comma (CivetWeb would read two addresses, the second without TLS; the flag is
// repeatable instead), no port, a non-numeric or out-of-range port, an IPv6 address without brackets.
// With TLS on, the caller appends CivetWeb's "s" suffix.
Result<std::string> ListenAddressToCivet(const std::string& address);

// Names of the collectors to run: the defaults (unless disabled) adjusted by
// the explicit choices. Error on an unknown collector name.
Result<std::vector<std::string>> ResolveEnabledCollectors(const CollectorSelection& selection);

}  // namespace hostwatch
