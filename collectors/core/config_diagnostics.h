// ConfigDiagnostics: collects every problem found while validating a YAML
// configuration, each with its position, so that a person sees all of them
// at once as "file:line:column: key: reason".
//
// Filled by ConfigReader (config_reader.h), which every section parser uses:
// agent/config.cpp (`collectors:`), checks/check_config.cpp (`http_checks:`),
// checks/target_policy.cpp (`probe_targets:`) and agent/web/web_config.cpp.
// Not thread-safe; one instance per load.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace hostwatch {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string key;  // dotted path of the offending key, e.g. "http_checks.checks[2].timeout"
  std::string reason;

  // "file:line:column: key: reason" (position parts omitted when unknown).
  std::string ToString() const;
};

class ConfigDiagnostics {
 public:
  explicit ConfigDiagnostics(std::string file) : file_(std::move(file)) {}

  // Records a problem at the node's position (yaml-cpp marks are 0-based).
  void Add(const YAML::Node& at, const std::string& key, const std::string& reason);
  void Add(const YAML::Mark& mark, const std::string& key, const std::string& reason);

  bool ok() const { return errors_.empty(); }
  const std::vector<ConfigError>& errors() const { return errors_; }
  const std::string& file() const { return file_; }

  // All errors, one per line.
  std::string ToString() const;

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

}  // namespace hostwatch
