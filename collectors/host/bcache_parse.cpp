// The value formats of bcache's sysfs files (see bcache.h).
#include <cmath>
#include <cstdint>
#include <string>

#include "collectors/core/parse_util.h"
#include "collectors/host/bcache.h"

namespace hostwatch {
namespace {

// bch_hprint's suffixes: powers of 1024.
std::optional<double> SuffixMultiplier(char c) {
  static constexpr std::string_view kSuffixes = "kMGTPEZY";
  const std::size_t i = kSuffixes.find(c);
  if (i == std::string_view::npos) {
    return std::nullopt;
  }
  return std::ldexp(1.0, 10 * static_cast<int>(i + 1));
}

// "<int>[.<tenths of 1024ths>]" as procfs reads it: the part after the dot is
// divided by 10.24 (bch_hprint prints the 1024ths as hundredths).
std::optional<double> ParsePseudoFloat(std::string_view s) {
  const std::size_t dot = s.find('.');
  std::optional<double> whole = ParseDouble(s.substr(0, dot));
  if (!whole || dot == std::string_view::npos) {
    return whole;
  }
  std::string_view frac = s.substr(dot + 1);
  frac = frac.substr(0, frac.find('.'));  // procfs ignores anything after a second dot
  std::optional<double> f = ParseDouble(frac);
  if (!f) {
    return std::nullopt;
  }
  return *whole + *f / 10.24;
}

// The last white-space separated field of line, without suffix.
std::string_view LastField(std::string_view line, std::string_view suffix) {
  std::vector<std::string_view> f = SplitFields(line);
  std::string_view v = f.empty() ? std::string_view() : f.back();
  if (v.ends_with(suffix)) {
    v.remove_suffix(suffix.size());
  }
  return v;
}

}  // namespace

std::optional<std::uint64_t> BcacheDehumanize(std::string_view s) {
  if (s.empty()) {
    return std::nullopt;
  }
  std::optional<double> value;
  if (s.back() > '9') {
    std::optional<double> mul = SuffixMultiplier(s.back());
    std::optional<double> mant = ParsePseudoFloat(s.substr(0, s.size() - 1));
    if (mul && mant) {
      value = *mant * *mul;
    }
  } else {
    value = ParseDouble(s);
  }
  // A negative, NaN or too large value has no uint64 (Go's conversion would
  // give an arbitrary number).
  if (!value || !(*value >= 0) || *value >= 18446744073709551616.0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(*value);
}

std::optional<std::int64_t> BcacheDehumanizeSigned(std::string_view s) {
  const bool negative = s.starts_with('-');
  std::optional<std::uint64_t> v = BcacheDehumanize(negative ? s.substr(1) : s);
  if (!v || *v > static_cast<std::uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return negative ? -static_cast<std::int64_t>(*v) : static_cast<std::int64_t>(*v);
}

std::optional<BcacheWritebackRate> ParseBcacheWritebackRateDebug(std::string_view text, std::uint64_t* parse_errors) {
  BcacheWritebackRate w;
  bool ok = true;
  auto unsigned_field = [&ok](std::optional<std::uint64_t> v, std::uint64_t& out) {
    ok = ok && v.has_value();
    out = v.value_or(0);
  };
  auto signed_field = [&ok](std::optional<std::int64_t> v, std::int64_t& out) {
    ok = ok && v.has_value();
    out = v.value_or(0);
  };
  for (std::string_view line : SplitLines(text)) {
    if (line.starts_with("rate:")) {
      unsigned_field(BcacheDehumanize(LastField(line, "/sec")), w.rate);
    } else if (line.starts_with("dirty:")) {
      unsigned_field(BcacheDehumanize(LastField(line, "")), w.dirty);
    } else if (line.starts_with("target:")) {
      unsigned_field(BcacheDehumanize(LastField(line, "")), w.target);
    } else if (line.starts_with("proportional:")) {
      signed_field(BcacheDehumanizeSigned(LastField(line, "")), w.proportional);
    } else if (line.starts_with("integral:")) {
      signed_field(BcacheDehumanizeSigned(LastField(line, "")), w.integral);
    } else if (line.starts_with("change:")) {
      signed_field(BcacheDehumanizeSigned(LastField(line, "/sec")), w.change);
    } else if (line.starts_with("next io:")) {
      ok = ok && ParseInt(LastField(line, "ms")).has_value();  // read by procfs, not exported
    }
  }
  if (!ok) {
    ++*parse_errors;
    return std::nullopt;
  }
  return w;
}

std::optional<BcachePriorityStats> ParseBcachePriorityStats(std::string_view text, std::uint64_t* parse_errors) {
  BcachePriorityStats p;
  for (std::string_view line : SplitLines(text)) {
    std::uint64_t* field = line.starts_with("Unused:")     ? &p.unused_percent
                           : line.starts_with("Metadata:") ? &p.metadata_percent
                                                           : nullptr;
    if (field == nullptr) {
      continue;
    }
    std::optional<std::uint64_t> v = ParseUint(LastField(line, "%"));
    if (!v) {
      ++*parse_errors;
      return std::nullopt;
    }
    *field = *v;
  }
  return p;
}

}  // namespace hostwatch
