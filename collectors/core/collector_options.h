// Collector options: the per-collector knobs, declared once in each
// collector's CollectorSpec and settable from flags (--collector.<name>.<key>)
// and the config file (collectors: {<name>: {<key_with_underscores>: ...}}).
//
// Values are kept as strings exactly as the user wrote them and validated when
// they are set, so typed getters never fail. Copyable value type; not
// synchronized (built on the control path, read-only afterwards).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

enum class OptionKind {
  kString,    // free text (paths)
  kRegex,     // RE2 syntax, compiled when set to validate it
  kDuration,  // Prometheus duration: 500ms, 30s, 5m, 1h30m
  kBool,      // true/false
  kInt,       // non-negative integer
};

struct OptionSpec {
  std::string key;            // "mount-points-exclude" (flag spelling)
  OptionKind kind;
  std::string default_value;  // in the same syntax a user would write
  std::string help;           // one line, shown in --help and the example config
};

class CollectorOptions {
 public:
  // Options holding every registered collector's defaults.
  static CollectorOptions Defaults();

  // Validates value for the option collector.key and stores it.
  Status Set(std::string_view collector, std::string_view key, std::string value);

  const std::string& Get(std::string_view collector, std::string_view key) const;
  bool GetBool(std::string_view collector, std::string_view key) const;
  std::chrono::milliseconds GetDuration(std::string_view collector, std::string_view key) const;
  long long GetInt(std::string_view collector, std::string_view key) const;

  // Finds the spec for collector.key among the registered collectors; nullptr if unknown.
  static const OptionSpec* FindSpec(std::string_view collector, std::string_view key);

  // Checks value against kind; the error says why.
  static Status Validate(OptionKind kind, std::string_view value);

  bool operator==(const CollectorOptions&) const = default;

 private:
  static std::string Key(std::string_view collector, std::string_view key);
  std::map<std::string, std::string, std::less<>> values_;
};

// Prometheus-style duration ("1h30m", "500ms", "0s"). Error on anything else.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace hostwatch
