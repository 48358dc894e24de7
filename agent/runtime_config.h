// RuntimeConfig: everything the agent runs with that can change on reload,
// resolved from the flags and the config file (flags win).
#pragma once

#include <string>
#include <vector>

#include "agent/flags.h"
#include "collectors/collector_options.h"
#include "collectors/http/check_config.h"

namespace hostwatch {

struct RuntimeConfig {
  std::vector<std::string> enabled_collectors;  // registry names, sorted
  CollectorOptions collector_options = CollectorOptions::Defaults();
  HttpChecksConfig http_checks;  // the `http_checks:` section; no checks when absent
};

// Builds the runtime configuration from flags (and, in config.cpp, the file).
Result<RuntimeConfig> LoadRuntimeConfig(const AgentFlags& flags);

}  // namespace hostwatch
