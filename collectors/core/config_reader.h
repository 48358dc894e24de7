// ConfigReader: the one way hostwatch reads YAML configuration. Every section
// (`collectors:` in agent/config.cpp, `http_checks:` in checks/check_config.cpp,
// `probe_targets:` in checks/target_policy.cpp and the --web.config.file in
// agent/web/web_config.cpp) walks its tree with these getters, so a value of a
// given type is accepted, and refused, with the same words everywhere:
//
//   file:line:column: <dotted.key.path>: must be <what>[, got a list|a mapping|null]
//   file:line:column: <dotted.key.path>: must be between 1 and 100
//   file:line:column: <dotted.key.path>: unknown key (known: a, b, c)
//
// No message quotes a value's text: values are ${VAR}-expanded
// (agent/config.cpp), so the text may be a secret from the environment, and
// errors reach whoever may call /-/reload. The position and the key path say
// where the value is; the reason says what was expected.
//
// Each getter returns true and stores into *out on success; on failure it adds
// one error to the ConfigDiagnostics at the offending node, leaves *out
// unchanged and returns false, so a section parser carries on and the user
// sees every problem at once. Nothing throws. Not thread-safe; one per load.
#pragma once

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// The one boolean rule of every hostwatch configuration (and of collector
// option values given as flags): the words Go's YAML libraries (yaml.v2, and
// yaml.v3 when decoding into a bool) accept for a Go bool field, because
// Prometheus, blackbox_exporter and exporter-toolkit read their files with
// them and their snippets must paste unchanged:
//   true:  true True TRUE  yes Yes YES  on On ON  y Y
//   false: false False FALSE  no No NO  off Off OFF  n N
// Anything else (1, 0, "maybe", tRUE) is nullopt.
std::optional<bool> ParseBool(std::string_view text);

// How a node is described after "got": "a list", "a mapping", "null" or
// "nothing"; "" for a scalar, whose text is never quoted (see above).
std::string DescribeNode(const YAML::Node& node);

// Why RE2 refused a pattern ("missing closing )"), without the part of the
// pattern that RE2's own error() quotes.
std::string RegexErrorReason(const re2::RE2& re);

class ConfigReader {
 public:
  explicit ConfigReader(ConfigDiagnostics* diag) : diag_(diag) {}

  ConfigDiagnostics* diag() const { return diag_; }

  // Records a problem at node (its position), under the dotted key path.
  void Error(const YAML::Node& at, const std::string& path, const std::string& reason) { diag_->Add(at, path, reason); }

  // Child path: "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
  static std::string Join(const std::string& path, const std::string& key);

  // A mapping with a fixed set of keys. Calls fn(key, value, key_path) for each
  // entry whose key is in known; every other key is an "unknown key (known: ...)"
  // error at the key. A null node (everything commented out) is an empty mapping.
  // False, with an error, when node is not a mapping.
  using FieldFn = std::function<void(const std::string& key, const YAML::Node& value, const std::string& path)>;
  bool Fields(const YAML::Node& node, const std::string& path, const std::vector<std::string_view>& known,
              const FieldFn& fn);

  // A mapping with free keys (labels, headers, users). Calls fn(key, key_node,
  // value, key_path) for every entry. Null is empty; false when not a mapping.
  using EntryFn = std::function<void(const std::string& key, const YAML::Node& key_node, const YAML::Node& value,
                                     const std::string& path)>;
  bool Entries(const YAML::Node& node, const std::string& path, const EntryFn& fn);

  // A list: fn(item, "path[i]") for every element. False when not a list.
  using ItemFn = std::function<void(const YAML::Node& item, const std::string& path)>;
  bool Items(const YAML::Node& node, const std::string& path, const ItemFn& fn);

  // Reports the unknown key at key_node, listing the known ones (and the nearest, for a typo).
  void Unknown(const YAML::Node& key_node, const std::string& path, const std::vector<std::string_view>& known);

  // A "duplicate key" error at every repeated key of every mapping under node. yaml-cpp
  // accepts duplicates silently (the first wins); a person almost always meant something else.
  // Also an error, and the walk stops there, past kMaxDepth levels: yaml-cpp builds a node that
  // contains itself from an alias to its own anchor (`a: &x [*x]`), which no walk may follow.
  // Likewise past kMaxNodes values in all: aliases can repeat a part of the file exponentially
  // (`a: &a [x, x]`, `b: &b [*a, *a]`, ...) without any cycle.
  // False then: the caller must not walk the tree any further.
  static constexpr int kMaxDepth = 64;
  static constexpr std::size_t kMaxNodes = 1'000'000;
  bool DuplicateKeys(const YAML::Node& node, const std::string& path, int depth = 0);


  // Scalars.
  bool String(const YAML::Node& n, const std::string& path, std::string* out);
  bool Bool(const YAML::Node& n, const std::string& path, bool* out);  // ParseBool's words
  bool Int(const YAML::Node& n, const std::string& path, long long min, long long max, long long* out);
  bool Int(const YAML::Node& n, const std::string& path, int min, int max, int* out);
  bool Duration(const YAML::Node& n, const std::string& path, std::chrono::milliseconds* out);  // "30s", "1h30m"
  // An RE2 pattern, compiled (shared: RE2 is immutable and thread-safe).
  bool Regex(const YAML::Node& n, const std::string& path, std::string* pattern,
             std::shared_ptr<const re2::RE2>* compiled);
  // A string equal to one of allowed ("must be one of a, b, c").
  bool OneOf(const YAML::Node& n, const std::string& path, const std::vector<std::string_view>& allowed,
             std::string* out);

  // Collections of strings. Null is an empty collection. StringMap appends to *out.
  bool StringList(const YAML::Node& n, const std::string& path, std::vector<std::string>* out);
  bool StringMap(const YAML::Node& n, const std::string& path, std::vector<std::pair<std::string, std::string>>* out);

  // Reports "must be <what>" at n, with ", got <DescribeNode>" when n is not a scalar.
  void WrongType(const YAML::Node& n, const std::string& path, const std::string& what);

 private:
  std::size_t walked_ = 0;  // values DuplicateKeys visited in this walk
  ConfigDiagnostics* diag_;
};

}  // namespace hostwatch
