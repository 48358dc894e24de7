#include "agent/runtime_config.h"

#include <sys/stat.h>

#include "agent/config.h"
#include "collectors/checks/module_checks.h"
#include "collectors/checks/modules_file.h"

namespace hostwatch {
namespace {

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Result<RuntimeConfig> LoadRuntimeConfig(const AgentFlags& flags) {
  RuntimeConfig config;
  FileConfig file;
  if (flags.config_file_given || FileExists(flags.config_file)) {
    ConfigDiagnostics diag(flags.config_file);
    file = LoadConfigFile(flags.config_file, &diag);
    // The same diagnostics, so file and http_checks problems are reported together.
    config.http_checks = ParseHttpChecksConfig(file.http_checks, &diag);
    ModuleMap modules = ParseModules(file.modules, &diag);
    // The modules_file's problems are reported against that file, after the main file's.
    ConfigDiagnostics modules_diag(file.modules_file);
    if (!file.modules_file.empty()) {
      ModuleMap more = LoadModulesFile(file.modules_file, modules, &modules_diag);
      modules.merge(more);
    }
    ParseChecksSection(std::move(modules), file.checks, &config.http_checks, &diag);
    config.remote_write = remote_write::ParseRemoteWriteConfig(file.remote_write, &diag);
    if (!diag.ok() || !modules_diag.ok()) {
      const bool both = !diag.ok() && !modules_diag.ok();
      return Status::Error((diag.ok() ? "" : diag.ToString()) + (both ? "\n" : "") +
                           (modules_diag.ok() ? "" : modules_diag.ToString()));
    }
    config.config_file = flags.config_file;
    config.x509_files = file.x509_files;
  }

  // Flags win over the file, key by key.
  CollectorSelection selection = file.selection;
  selection.disable_defaults = selection.disable_defaults || flags.selection.disable_defaults;
  for (const auto& [name, on] : flags.selection.explicit_state) {
    selection.explicit_state[name] = on;
  }
  Result<std::vector<std::string>> enabled = ResolveEnabledCollectors(selection);
  if (!enabled.ok()) {
    return enabled.status();
  }
  config.enabled_collectors = enabled.value();

  std::map<std::string, std::string> options = file.collector_options;
  for (const auto& [key, value] : flags.collector_options) {
    options[key] = value;
  }
  for (const auto& [key, value] : options) {
    std::size_t dot = key.find('.');
    if (Status s = config.collector_options.Set(key.substr(0, dot), key.substr(dot + 1), value); !s.ok()) {
      return Status::Error("collector." + key + ": " + s.message());
    }
  }
  return config;
}

}  // namespace hostwatch
