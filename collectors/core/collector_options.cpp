#include "collectors/core/collector_options.h"

#include <re2/re2.h>

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

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  // Prometheus model.ParseDuration: one or more <int><unit>, units y w d h m s ms,
  // each unit at most once and from largest to smallest.
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
  auto bad = [&] { return Status::Error("invalid duration (want e.g. 500ms, 30s, 5m, 1h30m)"); };
  if (text.empty()) {
    return bad();
  }
  if (text == "0") {
    return std::chrono::milliseconds(0);
  }
  long long total = 0;
  std::size_t last_unit = 0;  // index into kUnits + 1 of the previous unit
  std::string_view rest = text;
  while (!rest.empty()) {
    long long n = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (ec != std::errc() || p == rest.data() || n < 0) {
      return bad();
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
      return bad();
    }
    last_unit = idx + 1;
    if (n > (1LL << 53) / kUnits[idx].ms) {
      return bad();
    }
    total += n * kUnits[idx].ms;
  }
  return std::chrono::milliseconds(total);
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
