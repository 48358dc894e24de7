// Helpers shared by the unit tests of `modules:` / `checks:` parsing and of
// each prober's module keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/module_checks.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch::testing {

// A configuration's http_checks:, modules: and checks: sections, parsed as the agent does.
inline HttpChecksConfig ParseChecksYaml(const std::string& yaml, ConfigDiagnostics* diag) {
  YAML::Node root = YAML::Load(yaml);
  HttpChecksConfig out = ParseHttpChecksConfig(root["http_checks"], diag);
  ParseModuleChecks(root["modules"], root["checks"], &out, diag);
  return out;
}

// Every diagnostic as the agent prints it (file:line:column: key: reason).
inline std::vector<std::string> ConfigErrorStrings(const ConfigDiagnostics& diag) {
  std::vector<std::string> out;
  for (const ConfigError& e : diag.errors()) {
    out.push_back(e.ToString());
  }
  return out;
}

}  // namespace hostwatch::testing
