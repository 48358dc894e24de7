// Prometheus file-based service discovery (file_sd) files, the format
// configuration management already writes for blackbox_exporter jobs:
//
//   [{"targets": ["db1:22", "db2:22"], "labels": {"team": "db"}}, ...]   # .json
//   - targets: ["https://example.org"]                                   # .yml / .yaml
//     labels: {env: prod}
//
// A list of target groups, each with `targets` (a list of strings, required)
// and `labels` (optional). Labels whose names start with "__" are dropped, as
// Prometheus drops them after relabelling (__meta_*, __param_*); the rest
// must be valid label names that hostwatch's own series do not use (check,
// target, ...). JSON is read by the same YAML reader (JSON is YAML), so every
// problem is reported as file:line:column: key: reason. Pure; never throws.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

struct TargetGroup {
  std::vector<std::string> targets;
  std::map<std::string, std::string> labels;
};

// True when Prometheus reads a file of this name (.json, .yml, .yaml); others are skipped.
bool IsFileSdName(std::string_view path);

// Parses a file's text. Meaningful only when diag->ok() afterwards: a file
// with any problem is refused whole (its previous targets stay in use).
std::vector<TargetGroup> ParseFileSd(std::string_view text, ConfigDiagnostics* diag);

}  // namespace hostwatch
