// RuntimeConfig: everything the agent runs with that can change on reload,
// resolved from the config file and the flags (a flag given on the command
// line wins over the file, which wins over the built-in default).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "agent/flags.h"
#include "agent/remote_write/config.h"
#include "collectors/core/collector_options.h"
#include "collectors/checks/check_config.h"
#include "collectors/registry.h"

namespace hostwatch {

struct RuntimeConfig {
  std::vector<std::string> enabled_collectors;  // registry names, sorted
  CollectorOptions collector_options = DefaultCollectorOptions();
  std::string config_file;       // the file this came from, "" when built-in defaults were used
  HttpChecksConfig http_checks;  // the file's http_checks section (collectors/checks); no checks when absent
  std::vector<std::string> x509_files;  // certificate file paths and globs (x509_files:); none when absent
  remote_write::RemoteWriteConfig remote_write;  // remote_write:; disabled when absent
};

// Builds the runtime configuration. A missing default config file means
// built-in defaults; a missing file named with --config.file is an error.
// The error message lists every problem, one "file:line:column: key: reason" per line.
Result<RuntimeConfig> LoadRuntimeConfig(const AgentFlags& flags);

}  // namespace hostwatch
