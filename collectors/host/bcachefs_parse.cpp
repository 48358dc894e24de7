// The pure parsers of the bcachefs collector, one per sysfs file format, with
// the acceptance rules of node_exporter's procfs library.
#include <cmath>

#include "collectors/core/parse_util.h"
#include "collectors/host/bcachefs.h"

namespace hostwatch {
namespace {

std::string_view TrimSuffixColon(std::string_view s) { return s.ends_with(':') ? s.substr(0, s.size() - 1) : s; }

// "<key>: <value>" split at the first colon, both sides trimmed; nullopt without a colon.
std::optional<std::pair<std::string_view, std::string_view>> KeyValue(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  return std::pair{TrimSpace(line.substr(0, colon)), TrimSpace(line.substr(colon + 1))};
}

// Lines of a table whose first line is a header (compression_stats, btree_write_stats).
std::vector<std::string_view> TableRows(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  if (!lines.empty()) {
    lines.erase(lines.begin());
  }
  return lines;
}

}  // namespace

std::optional<std::uint64_t> ParseBcachefsBytes(std::string_view s) {
  s = TrimSpace(s);
  if (s.empty()) {
    return std::nullopt;
  }
  double multiplier = 1;
  const std::string_view units = "kmgtpe";
  const std::size_t unit = units.find(static_cast<char>(s.back() | 0x20));  // ASCII lower case
  if (unit != std::string_view::npos) {
    multiplier = std::pow(1024.0, static_cast<double>(unit + 1));
    s.remove_suffix(1);
  }
  std::optional<double> v = ParseDouble(TrimSpace(s));
  // Negative, NaN and out-of-range sizes have no meaning (Go's conversion of them is undefined).
  if (!v || !std::isfinite(*v * multiplier) || *v < 0 || *v * multiplier >= 18446744073709551616.0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(*v * multiplier);
}

std::optional<std::map<std::string, BcachefsCompression>> ParseBcachefsCompression(std::string_view text) {
  std::map<std::string, BcachefsCompression> out;
  for (std::string_view line : TableRows(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.size() < 3) {
      continue;
    }
    std::optional<std::uint64_t> compressed = ParseBcachefsBytes(f[1]);
    std::optional<std::uint64_t> uncompressed = ParseBcachefsBytes(f[2]);
    if (!compressed || !uncompressed || (f.size() >= 4 && !ParseBcachefsBytes(f[3]))) {
      return std::nullopt;
    }
    out[std::string(TrimSuffixColon(f[0]))] = {*compressed, *uncompressed};
  }
  return out;
}

std::optional<std::map<std::string, std::uint64_t>> ParseBcachefsErrors(std::string_view text) {
  std::map<std::string, std::uint64_t> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.size() < 2) {
      continue;
    }
    std::optional<std::uint64_t> count = ParseUint(f[1]);
    if (!count || (f.size() >= 3 && !ParseUint(f[2]))) {
      return std::nullopt;
    }
    out[std::string(f[0])] = *count;
  }
  return out;
}

std::optional<std::uint64_t> ParseBcachefsCounter(std::string_view text) {
  std::optional<std::uint64_t> since_creation;
  bool seen = false;
  for (std::string_view line : SplitLines(text)) {
    for (std::string_view prefix : {"since mount:", "since filesystem creation:"}) {
      if (!line.starts_with(prefix)) {
        continue;
      }
      std::optional<std::uint64_t> v = ParseBcachefsBytes(line.substr(prefix.size()));
      if (!v) {
        return std::nullopt;
      }
      seen = true;
      if (prefix != "since mount:") {
        since_creation = v;
      }
    }
  }
  if (!seen) {
    return std::nullopt;
  }
  return since_creation.value_or(0);
}

std::optional<std::map<std::string, BcachefsBtreeWrites>> ParseBcachefsBtreeWrites(std::string_view text) {
  std::map<std::string, BcachefsBtreeWrites> out;
  for (std::string_view line : TableRows(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.size() < 3) {
      continue;
    }
    std::optional<std::uint64_t> count = ParseUint(f[1]);
    std::optional<std::uint64_t> size = ParseBcachefsBytes(f[2]);
    if (!count || !size) {
      return std::nullopt;
    }
    out[std::string(TrimSuffixColon(f[0]))] = {*count, *size};
  }
  return out;
}

std::optional<std::map<std::string, std::map<std::string, std::uint64_t>>> ParseBcachefsIoDone(
    std::string_view text) {
  std::map<std::string, std::map<std::string, std::uint64_t>> out;
  std::string op;
  for (std::string_view raw : SplitLines(text)) {
    const std::string_view line = TrimSpace(raw);
    if (line == "read:" || line == "write:") {
      op = std::string(TrimSuffixColon(line));
      out[op];
      continue;
    }
    std::optional<std::pair<std::string_view, std::string_view>> kv = KeyValue(line);
    if (line.empty() || op.empty() || !kv) {
      continue;
    }
    std::optional<std::uint64_t> v = ParseUint(kv->second);
    if (!v) {
      return std::nullopt;
    }
    out[op][std::string(kv->first)] = *v;
  }
  return out;
}

std::optional<std::map<std::string, std::uint64_t>> ParseBcachefsIoErrors(std::string_view text) {
  std::map<std::string, std::uint64_t> out;
  bool in_creation = false;
  for (std::string_view line : SplitLines(text)) {
    if (line.starts_with("IO errors since filesystem creation")) {
      in_creation = true;
      continue;
    }
    if (line.starts_with("IO errors since ")) {
      break;  // the since-mount section repeats the types
    }
    std::optional<std::pair<std::string_view, std::string_view>> kv = KeyValue(TrimSpace(line));
    if (!in_creation || !kv) {
      continue;
    }
    std::optional<std::uint64_t> v = ParseUint(kv->second);
    if (!v) {
      return std::nullopt;
    }
    out[std::string(kv->first)] = *v;
  }
  return out;
}

}  // namespace hostwatch
