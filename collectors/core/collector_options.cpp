#include "collectors/core/collector_options.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "collectors/core/config_reader.h"

namespace hostwatch {
namespace {

std::string JoinKey(std::string_view collector, std::string_view key) {
  std::string k(collector);
  k.push_back('.');
  k.append(key);
  return k;
}

template <OptionKind K>
std::string DefaultText(typename OptionTypes<K>::Default value) {
  if constexpr (K == OptionKind::kBool) {
    return value ? "true" : "false";
  } else if constexpr (K == OptionKind::kInt) {
    return std::to_string(value);
  } else if constexpr (K == OptionKind::kDuration) {
    return FormatDuration(value);
  } else {
    return std::string(value);
  }
}

}  // namespace

template <OptionKind K>
OptionSpec CollectorOption<K>::Spec() const {
  return {std::string(collector_), std::string(key_), K, DefaultText<K>(default_), std::string(help_)};
}

template class CollectorOption<OptionKind::kString>;
template class CollectorOption<OptionKind::kRegex>;
template class CollectorOption<OptionKind::kBool>;
template class CollectorOption<OptionKind::kInt>;
template class CollectorOption<OptionKind::kDuration>;
template class CollectorOption<OptionKind::kPathList>;

std::string DescribeOptionKind(OptionKind kind) {
  switch (kind) {
    case OptionKind::kString:
      return "a string";
    case OptionKind::kRegex:
      return "a regular expression";
    case OptionKind::kDuration:
      return "a duration such as 30s";
    case OptionKind::kBool:
      return "true or false";
    case OptionKind::kInt:
      return "a non-negative integer";
    case OptionKind::kPathList:
      return "a path or a list of paths";
  }
  return "a value";
}

Result<OptionValue> ParseOptionValue(OptionKind kind, std::string_view text) {
  auto wrong = [&] {
    // The text is not quoted: it may come from ${VAR} expansion (config_reader.h).
    return Status::Error("must be " + DescribeOptionKind(kind));
  };
  switch (kind) {
    case OptionKind::kString:
      return OptionValue(std::string(text));
    case OptionKind::kPathList: {
      std::vector<std::string> entries;
      for (std::string_view rest = text; !rest.empty();) {
        const std::size_t end = std::min(rest.find(kPathListSeparator), rest.size());
        if (end > 0) {
          entries.emplace_back(rest.substr(0, end));
        }
        rest.remove_prefix(std::min(end + 1, rest.size()));
      }
      return OptionValue(std::move(entries));
    }
    case OptionKind::kRegex: {
      RE2::Options opts;
      opts.set_log_errors(false);
      RE2 re(text, opts);
      if (!re.ok()) {
        return Status::Error("invalid regular expression: " + RegexErrorReason(re));
      }
      return OptionValue(std::string(text));
    }
    case OptionKind::kDuration: {
      Result<std::chrono::milliseconds> d = ParseDuration(text);
      if (!d.ok()) {
        return d.status();
      }
      return OptionValue(d.value());
    }
    case OptionKind::kBool:
      if (std::optional<bool> b = ParseBool(text)) {
        return OptionValue(*b);
      }
      return wrong();
    case OptionKind::kInt: {
      long long v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size() || v < 0) {
        return wrong();
      }
      return OptionValue(v);
    }
  }
  return Status::Error("unknown option kind");
}

void CollectorOptions::Declare(const OptionSpec& spec) {
  // Defaults are written by the collector's author; one that does not parse is
  // caught by the registry test, and the kind's zero value stands in.
  Result<OptionValue> value = ParseOptionValue(spec.kind, spec.default_value);
  OptionValue v = value.ok() ? value.value() : OptionValue();
  entries_.insert_or_assign(JoinKey(spec.collector, spec.key), Entry{spec, std::move(v)});
}

Status CollectorOptions::Set(std::string_view collector, std::string_view key, std::string_view text) {
  auto it = entries_.find(JoinKey(collector, key));
  if (it == entries_.end()) {
    return Status::Error("unknown option collector." + JoinKey(collector, key));
  }
  Result<OptionValue> value = ParseOptionValue(it->second.spec.kind, text);
  if (!value.ok()) {
    return value.status();
  }
  it->second.value = value.value();
  return Status::OK();
}

const OptionSpec* CollectorOptions::Find(std::string_view collector, std::string_view key) const {
  auto it = entries_.find(JoinKey(collector, key));
  return it == entries_.end() ? nullptr : &it->second.spec;
}

const OptionValue* CollectorOptions::Lookup(std::string_view collector, std::string_view key, OptionKind kind) const {
  std::string k = JoinKey(collector, key);
  auto it = entries_.find(k);
  if (it == entries_.end() || it->second.spec.kind != kind) {
    undeclared_reads_.push_back(std::move(k));
    return nullptr;
  }
  return &it->second.value;
}

namespace {

// Error messages never quote the text: config errors do not repeat values (they may be secrets).
Status BadDuration() {
  return Status::Error("invalid duration (want e.g. 500ms, 30s, 5m, 1h30m)");
}
Status DurationTooLarge() { return Status::Error("invalid duration: too large"); }

// Prometheus model.ParseDuration: one or more <int><unit>, units y w d h m s ms,
// each unit at most once and from largest to smallest.
Result<std::chrono::milliseconds> ParsePrometheusDuration(std::string_view text) {
  static constexpr struct {
    std::string_view unit;
    long long ms;
  } kUnits[] = {{"y", 365LL * 24 * 3600 * 1000},
                {"w", 7LL * 24 * 3600 * 1000},
                {"d", 24LL * 3600 * 1000},
                {"h", 3600LL * 1000},
                {"m", 60LL * 1000},
                {"s", 1000},
                {"ms", 1}};
  long long total = 0;
  std::size_t last_unit = 0;  // index into kUnits + 1 of the previous unit
  std::string_view rest = text;
  while (!rest.empty()) {
    long long n = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (ec == std::errc::result_out_of_range) {
      return DurationTooLarge();
    }
    if (ec != std::errc() || p == rest.data() || n < 0) {
      return BadDuration();
    }
    rest.remove_prefix(static_cast<std::size_t>(p - rest.data()));
    std::size_t unit_len = 0;
    while (unit_len < rest.size() && (rest[unit_len] < '0' || rest[unit_len] > '9')) {
      ++unit_len;
    }
    std::string_view unit = rest.substr(0, unit_len);
    rest.remove_prefix(unit_len);
    std::size_t idx = 0;
    while (idx < std::size(kUnits) && kUnits[idx].unit != unit) {
      ++idx;
    }
    if (idx == std::size(kUnits) || idx + 1 <= last_unit) {
      return BadDuration();
    }
    last_unit = idx + 1;
    if (n > (1LL << 53) / kUnits[idx].ms) {
      return DurationTooLarge();
    }
    total += n * kUnits[idx].ms;  // at most 7 terms of 2^53: no overflow
  }
  return std::chrono::milliseconds(total);
}

constexpr unsigned long long kMaxGoNanos = 9223372036854775807ULL;  // Go's Duration is an int64 of ns

enum class GoSyntax { kOk, kBad, kTooLarge };

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Takes one <decimal><unit> of a Go duration off the front of rest and adds its
// nanoseconds to *total, as time.ParseDuration does (fractions truncated to 1 ns).
GoSyntax TakeGoComponent(std::string_view& rest, unsigned long long* total) {
  static constexpr struct {
    std::string_view unit;
    unsigned long long ns;
  } kUnits[] = {{"ns", 1},
                {"us", 1000},
                {"\xc2\xb5s", 1000},  // U+00B5 MICRO SIGN
                {"\xce\xbcs", 1000},  // U+03BC GREEK SMALL LETTER MU
                {"ms", 1000 * 1000},
                {"s", 1000ULL * 1000 * 1000},
                {"m", 60ULL * 1000 * 1000 * 1000},
                {"h", 3600ULL * 1000 * 1000 * 1000}};
  std::size_t i = 0;
  bool any_digit = false;
  unsigned long long whole = 0;
  for (; i < rest.size() && IsDigit(rest[i]); ++i, any_digit = true) {
    if (whole > kMaxGoNanos / 10) {
      return GoSyntax::kTooLarge;
    }
    whole = whole * 10 + static_cast<unsigned>(rest[i] - '0');
  }
  unsigned long long fraction = 0;
  long double scale = 1;
  if (i < rest.size() && rest[i] == '.') {
    for (++i; i < rest.size() && IsDigit(rest[i]); ++i, any_digit = true) {
      if (scale < 1e18L) {  // further digits are far below a nanosecond
        fraction = fraction * 10 + static_cast<unsigned>(rest[i] - '0');
        scale *= 10;
      }
    }
  }
  std::size_t end = i;
  while (end < rest.size() && rest[end] != '.' && !IsDigit(rest[end])) {
    ++end;
  }
  const std::string_view unit = rest.substr(i, end - i);
  const auto* u = std::find_if(std::begin(kUnits), std::end(kUnits), [&](const auto& k) { return k.unit == unit; });
  if (!any_digit || u == std::end(kUnits)) {
    return GoSyntax::kBad;
  }
  if (whole > kMaxGoNanos / u->ns) {
    return GoSyntax::kTooLarge;
  }
  const unsigned long long ns =
      whole * u->ns + static_cast<unsigned long long>(static_cast<long double>(fraction) * (u->ns / scale));
  if (ns > kMaxGoNanos || *total > kMaxGoNanos - ns) {
    return GoSyntax::kTooLarge;
  }
  *total += ns;
  rest.remove_prefix(end);
  return GoSyntax::kOk;
}

// Go time.ParseDuration: optional '+', then one or more <decimal><unit>, units ns us
// µs μs ms s m h in any order. Rounded to the nearest millisecond, which is what the
// agent keeps; a non-zero value below 1ms is refused rather than turned into 0.
Result<std::chrono::milliseconds> ParseGoDuration(std::string_view text) {
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '+') {
    rest.remove_prefix(1);
  }
  if (rest.empty()) {
    return BadDuration();
  }
  unsigned long long ns = 0;
  while (!rest.empty()) {
    switch (TakeGoComponent(rest, &ns)) {
      case GoSyntax::kOk:
        break;
      case GoSyntax::kBad:
        return BadDuration();
      case GoSyntax::kTooLarge:
        return DurationTooLarge();
    }
  }
  constexpr unsigned long long kNanosPerMilli = 1000 * 1000;
  if (ns != 0 && ns < kNanosPerMilli) {
    return Status::Error("invalid duration: below 1ms, the agent's resolution");
  }
  return std::chrono::milliseconds(static_cast<long long>((ns + kNanosPerMilli / 2) / kNanosPerMilli));
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text == "0") {  // both syntaxes allow 0 without a unit
    return std::chrono::milliseconds(0);
  }
  if (!text.empty() && text.front() == '-') {
    return Status::Error("invalid duration: negative");
  }
  // y, w and d exist only in Prometheus' syntax; for the other units Go's syntax is the
  // wider one (fractions, any order, µs, ns) and gives the same value.
  if (text.find_first_of("ywd") != std::string_view::npos) {
    return ParsePrometheusDuration(text);
  }
  return ParseGoDuration(text);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  long long ms = d.count();
  if (ms == 0) {
    return "0s";
  }
  std::string out;
  static constexpr struct {
    const char* unit;
    long long ms;
  } kUnits[] = {{"h", 3600LL * 1000}, {"m", 60LL * 1000}, {"s", 1000}, {"ms", 1}};
  for (const auto& u : kUnits) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + u.unit;
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace hostwatch
