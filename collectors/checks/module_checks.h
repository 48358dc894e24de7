// The `modules:` and `checks:` sections: blackbox_exporter's modules, spelled
// as in a blackbox.yml (or read from one: modules_file.h), and what runs on a
// schedule, a module and its targets:
//
//   modules:
//     ssh_banner: {prober: tcp, timeout: 5s, tcp: {query_response: [{expect: "^SSH-2.0-"}]}}
//     http_2xx: {prober: http, http: {valid_status_codes: [200]}}
//   checks:
//     - module: ssh_banner
//       targets: ["db1:22", "db2:22"]
//       targets_files: ["/etc/hostwatch/targets/*.yml"]  # Prometheus file_sd, re-read on change
//       interval: 30s          # default 60s; must be above the module's timeout (default 10s)
//       labels: {team: db}     # optional, added to the series
//
// Each (module, target) becomes one scheduled check (check_spec.h) with the
// labels check="<module>", target="<target>". Probers: http (URL targets; no
// scheme means http://, as blackbox), tcp and grpc (host:port), dns (host,
// host:port: 53, or 853 with dns_over_tls), icmp (a host, no port). Errors
// are file:line:column: key: reason, every one at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/prober_kind.h"
#include "collectors/core/config_diagnostics.h"
#include "collectors/core/status.h"

namespace hostwatch {

struct TcpModule;   // tcp/tcp_module.h
struct GrpcModule;  // grpc/grpc_module.h
struct DnsModule;   // dns/dns_module.h
struct IcmpModule;  // icmp/icmp_module.h

// One parsed module: what a check of it runs, whatever its target.
struct CheckModule {
  ProberKind prober = ProberKind::kTcp;
  std::chrono::milliseconds timeout{10000};
  std::shared_ptr<const TcpModule> tcp;         // prober == kTcp
  std::shared_ptr<const HttpCheckConfig> http;  // prober == kHttp; url, name and schedule unset
  std::shared_ptr<const GrpcModule> grpc;       // prober == kGrpc
  std::shared_ptr<const DnsModule> dns;         // prober == kDns
  std::shared_ptr<const IcmpModule> icmp;       // prober == kIcmp
  std::string text;                             // canonical YAML, for the fingerprint
};
using ModuleMap = std::map<std::string, std::shared_ptr<const CheckModule>>;

// A `checks:` entry's targets_files: the targets come from the files, which
// TargetsFiles (file_sd/targets_files.h) watches.
struct TargetsFilesEntry {
  std::string module;
  std::shared_ptr<const CheckModule> parsed;
  std::chrono::milliseconds interval{60000};
  std::map<std::string, std::string> labels;  // the entry's labels:
  std::vector<std::string> patterns;          // paths or globs
};

// Parses a `modules:` mapping (null or undefined: none), errors under "modules".
// A name already in *defined_elsewhere (the other of modules: and
// modules_file:) is an error at its key.
ModuleMap ParseModules(const YAML::Node& modules, ConfigDiagnostics* diag,
                       const ModuleMap* defined_elsewhere = nullptr);

// Parses `checks:` against the modules into out->module_checks and
// out->targets_files, and keeps the modules in out->modules (for ad-hoc
// /probe). out->checks (the http_checks already parsed) are read to refuse a
// module whose name an HTTP check has (both would be check="<name>"). Never throws.
void ParseChecksSection(ModuleMap modules, const YAML::Node& checks, HttpChecksConfig* out, ConfigDiagnostics* diag);

// Both at once, for a configuration whose modules are all in one file.
void ParseModuleChecks(const YAML::Node& modules, const YAML::Node& checks, HttpChecksConfig* out,
                       ConfigDiagnostics* diag);

// Empty when target suits the module's prober (see above), else why not.
std::string ModuleTargetProblem(const CheckModule& module, const std::string& target);

// The scheduled check of (module, target); target must have no ModuleTargetProblem.
std::shared_ptr<const CheckSpec> ModuleCheckSpec(const std::string& name, const CheckModule& module,
                                                 const std::string& target, std::chrono::milliseconds interval,
                                                 const std::map<std::string, std::string>& labels);

}  // namespace hostwatch
