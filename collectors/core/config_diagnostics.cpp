#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) {
      out += ":" + std::to_string(column);
    }
  }
  out += ": ";
  if (!key.empty()) {
    out += key + ": ";
  }
  out += reason;
  return out;
}

void ConfigDiagnostics::Add(const YAML::Mark& mark, const std::string& key, const std::string& reason) {
  ConfigError e;
  e.file = file_;
  if (!mark.is_null()) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  e.key = key;
  e.reason = reason;
  errors_.push_back(std::move(e));
}

void ConfigDiagnostics::Add(const YAML::Node& at, const std::string& key, const std::string& reason) {
  Add(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), key, reason);
}

std::string ConfigDiagnostics::ToString() const {
  std::string out;
  for (const ConfigError& e : errors_) {
    if (!out.empty()) {
      out.push_back('\n');
    }
    out += e.ToString();
  }
  return out;
}

}  // namespace hostwatch
