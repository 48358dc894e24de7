#include "agent/runtime_config.h"

namespace hostwatch {

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
  return config;
}

}  // namespace hostwatch
