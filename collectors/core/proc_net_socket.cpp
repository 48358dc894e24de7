#include "collectors/core/proc_net_socket.h"

#include <charconv>
#include <vector>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

std::optional<std::uint64_t> ParseHex(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

// "<hex>:<hex>" (an address and port, or the two queues), as two numbers.
// An address can be 128 bits, too wide to be a number: only its digits are checked.
bool SplitHexPair(std::string_view s, bool first_is_number, std::uint64_t* first, std::uint64_t* second) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    return false;
  }
  std::string_view a = s.substr(0, colon);
  std::optional<std::uint64_t> b = ParseHex(s.substr(colon + 1));
  if (!b) {
    return false;
  }
  *second = *b;
  if (!first_is_number) {
    return !a.empty() && a.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  }
  std::optional<std::uint64_t> x = ParseHex(a);
  *first = x.value_or(0);
  return x.has_value();
}

}  // namespace

std::optional<ProcNetSocket> ParseProcNetSocketLine(std::string_view line) {
  std::vector<std::string_view> f = SplitFields(line);
  if (f.size() < 10 || f[0].size() < 2 || f[0].back() != ':' || !ParseUint(f[0].substr(0, f[0].size() - 1))) {
    return std::nullopt;
  }
  std::uint64_t unused = 0;
  if (!SplitHexPair(f[1], false, &unused, &unused) || !SplitHexPair(f[2], false, &unused, &unused)) {
    return std::nullopt;
  }
  std::optional<std::uint64_t> state = ParseHex(f[3]);
  ProcNetSocket s;
  if (!state || *state > 0xff || !SplitHexPair(f[4], true, &s.tx_queue, &s.rx_queue)) {
    return std::nullopt;
  }
  s.state = static_cast<std::uint32_t>(*state);
  return s;
}

void ForEachProcNetSocket(std::string_view table, const std::function<void(const ProcNetSocket&)>& add,
                          std::uint64_t* parse_errors) {
  std::vector<std::string_view> lines = SplitLines(table);
  for (std::size_t i = 1; i < lines.size(); ++i) {  // line 0: the column names
    if (TrimSpace(lines[i]).empty()) {
      continue;
    }
    std::optional<ProcNetSocket> s = ParseProcNetSocketLine(lines[i]);
    if (!s) {
      ++*parse_errors;
      continue;
    }
    add(*s);
  }
}

}  // namespace hostwatch
