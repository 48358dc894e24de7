// The `x509_files:` key of the configuration file: a list of certificate file
// paths or glob(7) patterns (docs/x509-files.md), validated with the one
// config reader so that every problem is "file:line:column: x509_files[i]:
// reason". A value's text is never quoted in an error (see config_reader.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

#include "collectors/core/config_reader.h"

namespace hostwatch {

// More entries than this is an error: each is globbed on every scrape.
constexpr std::size_t kMaxX509Patterns = 1000;

// Reads the list at node (path is its key, "x509_files"). Each entry must be a
// non-empty absolute path (the agent's working directory is not something to
// rely on) without "**": glob(3) reads it as "*", which would silently watch
// fewer files than a doublestar user (ssl_exporter) expects. Null is an empty
// list. Returns the entries in order, duplicates removed; on any problem adds
// it to r's diagnostics (the caller discards the result then).
std::vector<std::string> ParseX509FilesConfig(ConfigReader& r, const YAML::Node& node, const std::string& path);

}  // namespace hostwatch
