// Collector options: the per-collector knobs, settable from flags
// (--collector.<name>.<key>) and the config file
// (collectors: {<name>: {<key_with_underscores>: ...}}).
//
// A collector declares each option once, as a typed constexpr handle in its
// own .cpp file, and lists the handles in its CollectorSpec:
//
//   constexpr BoolOption kGuest{"cpu", "guest", true, "Enables metric node_cpu_guest_seconds_total."};
//   ... CollectorSpec{"cpu", ..., {kGuest.Spec()}, make} ...
//   bool guest = ctx.options.Get(kGuest);  // typed; never fails
//
// The registry (collectors/registry.h, DefaultCollectorOptions) declares every
// listed option with its default; flags and the config file then Set() text,
// which is validated by kind at that moment, so Get() never fails. Reading a
// handle that the options do not declare returns the handle's default and is
// recorded in undeclared_reads(); a unit test over the registry builds every
// collector and requires that list to stay empty, so a handle missing from its
// spec is a test failure, never a start-up exception.
//
// CollectorOptions is a copyable value type and is not synchronized: it is
// built on the control path and only read afterwards (Get() appends to
// undeclared_reads(), which only a programming error does).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

enum class OptionKind {
  kString,    // free text (paths)
  kRegex,     // RE2 syntax, compiled when set to validate it
  kDuration,  // Prometheus duration: 500ms, 30s, 5m, 1h30m
  kBool,      // the one config boolean rule, ParseBool in config_reader.h (true/false, yes/no, on/off)
  kInt,       // non-negative integer
  kPathList,  // paths or glob patterns: a repeatable flag, a string or a list in the config file
};

// The untyped description of one option, made from its handle: what flags,
// the config parser, --help and the example config read.
struct OptionSpec {
  std::string collector;  // "filesystem"
  std::string key;        // "mount-points-exclude" (flag spelling)
  OptionKind kind;
  std::string default_value;  // in the same syntax a user would write
  std::string help;           // one line, shown in --help and the example config
};

// A validated option value: text for kString and kRegex, then bool, long long, milliseconds,
// and the entries of a kPathList.
using OptionValue = std::variant<std::string, bool, long long, std::chrono::milliseconds, std::vector<std::string>>;

// The text form of a kPathList: its entries, one per line (what flags and the config file give
// Set(); a path with a newline in it cannot be named).
constexpr char kPathListSeparator = '\n';

// The C++ types of each kind: the default a handle is written with, and what Get() returns.
template <OptionKind K>
struct OptionTypes {
  using Default = std::string_view;
  using Value = std::string;
};
template <>
struct OptionTypes<OptionKind::kBool> {
  using Default = bool;
  using Value = bool;
};
template <>
struct OptionTypes<OptionKind::kInt> {
  using Default = long long;
  using Value = long long;
};
template <>
struct OptionTypes<OptionKind::kDuration> {
  using Default = std::chrono::milliseconds;
  using Value = std::chrono::milliseconds;
};
template <>
struct OptionTypes<OptionKind::kPathList> {
  using Default = std::string_view;  // one entry, or "" for none
  using Value = std::vector<std::string>;
};

// A typed handle on one collector's option. constexpr-constructible, so
// handles are namespace-scope constants with no initialization order.
template <OptionKind K>
class CollectorOption {
 public:
  using Default = typename OptionTypes<K>::Default;
  using Value = typename OptionTypes<K>::Value;
  static constexpr OptionKind kKind = K;

  constexpr CollectorOption(std::string_view collector, std::string_view key, Default default_value,
                            std::string_view help)
      : collector_(collector), key_(key), default_(default_value), help_(help) {}

  constexpr std::string_view collector() const { return collector_; }
  constexpr std::string_view key() const { return key_; }
  Value default_value() const {
    if constexpr (K == OptionKind::kPathList) {
      return default_.empty() ? Value{} : Value{std::string(default_)};
    } else {
      return Value(default_);
    }
  }

  // The description for CollectorSpec::options (default rendered as text).
  OptionSpec Spec() const;

 private:
  std::string_view collector_;
  std::string_view key_;
  Default default_;
  std::string_view help_;
};

using StringOption = CollectorOption<OptionKind::kString>;
using RegexOption = CollectorOption<OptionKind::kRegex>;  // Get() returns the pattern, already known to compile
using BoolOption = CollectorOption<OptionKind::kBool>;
using IntOption = CollectorOption<OptionKind::kInt>;
using DurationOption = CollectorOption<OptionKind::kDuration>;
using PathListOption = CollectorOption<OptionKind::kPathList>;

class CollectorOptions {
 public:
  // Declares nothing; see DefaultCollectorOptions() in collectors/registry.h.
  CollectorOptions() = default;

  // Declares spec with its default value (re-declaring resets it to the default).
  void Declare(const OptionSpec& spec);

  // Validates text for the declared option collector.key and stores it.
  // Error: the option is not declared, or text is not a valid value of its kind
  // (the message says why, without the option's name).
  Status Set(std::string_view collector, std::string_view key, std::string_view text);

  // The declaration of collector.key, or nullptr.
  const OptionSpec* Find(std::string_view collector, std::string_view key) const;

  // The typed value of a declared option. An undeclared handle (or one declared
  // with another kind) yields the handle's default and is recorded in undeclared_reads().
  template <OptionKind K>
  typename CollectorOption<K>::Value Get(const CollectorOption<K>& option) const {
    using Value = typename CollectorOption<K>::Value;
    const OptionValue* v = Lookup(option.collector(), option.key(), K);
    if (v == nullptr) {
      return option.default_value();
    }
    if constexpr (std::is_same_v<Value, std::string>) {
      return std::get<std::string>(*v);
    } else {
      return std::get<Value>(*v);
    }
  }

  // "<collector>.<key>" of every Get() of an undeclared handle, in call order.
  const std::vector<std::string>& undeclared_reads() const { return undeclared_reads_; }

 private:
  struct Entry {
    OptionSpec spec;
    OptionValue value;
  };
  // The stored value, or nullptr (and a recorded undeclared read).
  const OptionValue* Lookup(std::string_view collector, std::string_view key, OptionKind kind) const;

  std::map<std::string, Entry, std::less<>> entries_;  // keyed "<collector>.<key>"
  mutable std::vector<std::string> undeclared_reads_;
};

// What a value of kind must be, for messages: "true or false", "a non-negative integer", ...
std::string DescribeOptionKind(OptionKind kind);

// Parses text as a value of kind. Error (saying why) for a bad regex,
// duration, boolean or integer.
Result<OptionValue> ParseOptionValue(OptionKind kind, std::string_view text);

// A duration in Prometheus' syntax ("1d", "2w", "1h30m") or Go's ("1.5s", "250us",
// "1m30s", "+5m"), as node_exporter's flags and Prometheus' config take them. Kept in
// milliseconds: fractions round to the nearest; non-zero values below 1ms, negative
// values and ones too large are errors, as is anything else.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace hostwatch
