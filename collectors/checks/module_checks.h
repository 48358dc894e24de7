// The `modules:` and `checks:` sections: blackbox_exporter's modules, spelled
// as in a blackbox.yml, and what runs on a schedule, a module and its targets:
//
//   modules:
//     ssh_banner: {prober: tcp, timeout: 5s, tcp: {query_response: [{expect: "^SSH-2.0-"}]}}
//   checks:
//     - module: ssh_banner
//       targets: ["db1:22", "db2:22"]
//       interval: 30s          # default 60s; must be above the module's timeout (default 10s)
//       labels: {team: db}     # optional, added to the series
//
// Each (module, target) becomes one scheduled check (check_spec.h) with the
// labels check="<module>", target="<target>". Probers: tcp, dns (a dns
// target may leave out its port: 53, or 853 with dns_over_tls), grpc, icmp
// (a target is then a host, without a port). An `http` module is refused with
// "not yet: use http_checks". Errors are file:line:column: key: reason, every one at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include "collectors/checks/check_config.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// Parses both sections (null or undefined: none) into out->module_checks.
// out->checks (the http_checks already parsed) are read to refuse a module
// whose name an HTTP check has (both would be check="<name>"). Never throws.
void ParseModuleChecks(const YAML::Node& modules, const YAML::Node& checks, HttpChecksConfig* out,
                       ConfigDiagnostics* diag);

}  // namespace hostwatch
