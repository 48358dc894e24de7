// Reading the JSON fixture files that node_exporter's qdisc and wifi
// collectors take for end-to-end tests (--collector.qdisc.fixtures,
// --collector.wifi.fixtures) the way Go's encoding/json fills a struct:
// object keys match field names case-insensitively, unknown keys and null
// values are ignored (the field keeps its zero value), a number must fit its
// field, a []byte field is a standard base64 string. JSON is read by the one
// YAML reader (JSON is YAML), so every problem is reported as
// file:line:column: key: reason. Not thread-safe; one ConfigReader per file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <string_view>

#include "collectors/core/config_reader.h"

namespace hostwatch {

// The document in text; a syntax error is added to *diag and gives a null node.
YAML::Node ParseJsonDocument(std::string_view text, ConfigDiagnostics* diag);

// Calls fn(lower-case key, value, key path) for every key of a JSON object
// whose value is not null. Null is an empty object; anything else but an
// object is an error (false).
using GoJsonFieldFn = std::function<void(const std::string& key, const YAML::Node& value, const std::string& path)>;
bool GoJsonObject(ConfigReader& r, const YAML::Node& n, const std::string& path, const GoJsonFieldFn& fn);

// A []byte field: base64 text decoded into *out.
bool GoJsonBytes(ConfigReader& r, const YAML::Node& n, const std::string& path, std::string* out);

}  // namespace hostwatch
