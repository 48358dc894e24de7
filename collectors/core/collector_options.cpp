#include "collectors/core/collector_options.h"

#include <re2/re2.h>

#include <charconv>
#include <stdexcept>

#include "collectors/registry.h"

namespace hostwatch {

std::string CollectorOptions::Key(std::string_view collector, std::string_view key) {
  std::string k(collector);
  k.push_back('.');
  k.append(key);
  return k;
}

CollectorOptions CollectorOptions::Defaults() {
  CollectorOptions o;
  for (const CollectorSpec& spec : AllCollectors()) {
    for (const OptionSpec& opt : spec.options) {
      o.values_[Key(spec.name, opt.key)] = opt.default_value;
    }
  }
  return o;
}

const OptionSpec* CollectorOptions::FindSpec(std::string_view collector, std::string_view key) {
  const CollectorSpec* spec = FindCollector(collector);
  if (spec == nullptr) {
    return nullptr;
  }
  for (const OptionSpec& opt : spec->options) {
    if (opt.key == key) {
      return &opt;
    }
  }
  return nullptr;
}

Status CollectorOptions::Validate(OptionKind kind, std::string_view value) {
  switch (kind) {
    case OptionKind::kString:
      return Status::OK();
    case OptionKind::kRegex: {
      RE2::Options opts;
      opts.set_log_errors(false);
      RE2 re(value, opts);
      if (!re.ok()) {
        return Status::Error("invalid regular expression: " + re.error());
      }
      return Status::OK();
    }
    case OptionKind::kDuration:
      return ParseDuration(value).status();
    case OptionKind::kBool:
      if (value == "true" || value == "false") {
        return Status::OK();
      }
      return Status::Error("expected true or false, got \"" + std::string(value) + "\"");
    case OptionKind::kInt: {
      long long v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v < 0) {
        return Status::Error("expected a non-negative integer, got \"" + std::string(value) + "\"");
      }
      return Status::OK();
    }
  }
  return Status::Error("unknown option kind");
}

Status CollectorOptions::Set(std::string_view collector, std::string_view key, std::string value) {
  const OptionSpec* spec = FindSpec(collector, key);
  if (spec == nullptr) {
    return Status::Error("unknown option collector." + Key(collector, key));
  }
  if (Status s = Validate(spec->kind, value); !s.ok()) {
    return s;
  }
  values_[Key(collector, key)] = std::move(value);
  return Status::OK();
}

const std::string& CollectorOptions::Get(std::string_view collector, std::string_view key) const {
  auto it = values_.find(Key(collector, key));
  if (it == values_.end()) {
    // A collector asking for an option it did not declare is a programming error.
    throw std::logic_error("undeclared collector option " + Key(collector, key));
  }
  return it->second;
}

bool CollectorOptions::GetBool(std::string_view collector, std::string_view key) const {
  return Get(collector, key) == "true";
}

std::chrono::milliseconds CollectorOptions::GetDuration(std::string_view collector, std::string_view key) const {
  return ParseDuration(Get(collector, key)).value();
}

long long CollectorOptions::GetInt(std::string_view collector, std::string_view key) const {
  const std::string& s = Get(collector, key);
  long long v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  // Prometheus model.ParseDuration: one or more <int><unit>, units y w d h m s ms,
  // each unit at most once and from largest to smallest.
  static constexpr struct {
    std::string_view unit;
    long long ms;
  } kUnits[] = {{"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000}, {"d", 24LL * 3600 * 1000},
                {"h", 3600LL * 1000},             {"m", 60LL * 1000},            {"s", 1000},
                {"ms", 1}};
  auto bad = [&] {
    return Status::Error("invalid duration \"" + std::string(text) + "\" (want e.g. 500ms, 30s, 5m, 1h30m)");
  };
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
