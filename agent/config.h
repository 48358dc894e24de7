// The configuration file (--config.file, YAML): loading, ${VAR} expansion and
// validation that reports every problem at once as file:line:column: key: reason.
//
//   collectors:                # the same knobs as the collector flags; flags win
//     disable_defaults: false
//     <collector>:
//       enabled: true
//       <option_with_underscores>: value
//   http_checks: {...}         # validated by collectors/checks/check_config.h
//   modules: {...}, checks: [...]  # validated by collectors/checks/module_checks.h
//   modules_file: /etc/prometheus/blackbox.yml  # more modules (collectors/checks/modules_file.h)
//   x509_files: [/etc/ssl/*.pem]   # collectors/checks/x509/x509_files_config.h
//   remote_write: {...}        # validated by agent/remote_write/config.h
//
// Every section is read with ConfigReader (collectors/core/config_reader.h):
// one boolean rule, one wording of errors; docs/configuration.md is the reference.
//
// Pure functions of their inputs (plus the environment for expansion).
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/flags.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// What the file says, before flags are applied.
struct FileConfig {
  CollectorSelection selection;
  std::map<std::string, std::string> collector_options;  // "<collector>.<flag-key>" -> value
  YAML::Node http_checks;                                 // the raw (expanded) section, or undefined
  YAML::Node modules;                                     // blackbox modules (checks/module_checks.h), raw
  std::string modules_file;                               // a blackbox.yml to read modules from (checks/modules_file.h)
  YAML::Node checks;                                      // module + targets entries, raw
  std::vector<std::string> x509_files;                    // certificate file paths and globs
  YAML::Node remote_write;                                // raw; agent/remote_write/config.h
};

// Looks up an environment variable; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> ProcessEnv(const std::string& name);

// Expands ${VAR}, ${VAR:-default} and $$ (a literal $) in one string.
// Problems (unset variable without default, unterminated ${) are returned as the error.
// ${1}, ${12}: a name starting with a digit is no variable; kept as written (submatch references in
// blackbox tcp modules).
Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& env);

// Parses YAML text (file is only used in messages). Every problem goes to *diag.
FileConfig ParseConfigText(const std::string& text, ConfigDiagnostics* diag, const EnvLookup& env = ProcessEnv);

// Reads and parses path. Missing or unreadable file: a diag error.
FileConfig LoadConfigFile(const std::string& path, ConfigDiagnostics* diag, const EnvLookup& env = ProcessEnv);

// The example configuration's `collectors:` section generated from the
// registry: every collector and option with its default and a one-line
// comment. packaging/hostwatch.yml embeds it (a unit test keeps them equal).
std::string GenerateCollectorsExample();

}  // namespace hostwatch
