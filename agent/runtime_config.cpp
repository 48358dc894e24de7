#include "agent/runtime_config.h"

#include <unistd.h>

#include "collectors/config_diagnostics.h"

namespace hostwatch {
namespace {

// TODO(lead): replaced by agent/config.cpp. Reads only the `http_checks:`
// section so the checks work end to end before the full loader is merged.
Status LoadHttpChecksSection(const AgentFlags& flags, HttpChecksConfig* out) {
  if (access(flags.config_file.c_str(), F_OK) != 0) {
    return flags.config_file_given ? Status::Error(flags.config_file + ": cannot read configuration file")
                                   : Status::OK();
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(flags.config_file);
  } catch (const YAML::Exception& e) {
    return Status::Error(flags.config_file + ":" + std::to_string(e.mark.line + 1) + ":" +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  ConfigDiagnostics diag(flags.config_file);
  if (root.IsMap()) {
    *out = ParseHttpChecksConfig(root["http_checks"], &diag);
  }
  return diag.ok() ? Status::OK() : Status::Error(diag.ToString());
}

}  // namespace

Result<RuntimeConfig> LoadRuntimeConfig(const AgentFlags& flags) {
  RuntimeConfig config;
  Result<std::vector<std::string>> enabled = ResolveEnabledCollectors(flags.selection);
  if (!enabled.ok()) {
    return enabled.status();
  }
  config.enabled_collectors = enabled.value();
  for (const auto& [key, value] : flags.collector_options) {
    std::size_t dot = key.find('.');
    if (Status s = config.collector_options.Set(key.substr(0, dot), key.substr(dot + 1), value); !s.ok()) {
      return Status::Error("--collector." + key + ": " + s.message());
    }
  }
  if (Status s = LoadHttpChecksSection(flags, &config.http_checks); !s.ok()) {
    return s;
  }
  return config;
}

}  // namespace hostwatch
