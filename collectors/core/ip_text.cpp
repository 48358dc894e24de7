#include "collectors/core/ip_text.h"

#include <cstdio>

namespace hostwatch {

std::string FormatIpLabel(std::string_view b) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(b[i])); };
  static constexpr char kHex[] = "0123456789abcdef";
  bool mapped = b.size() == 16 && b.substr(0, 10) == std::string_view("\0\0\0\0\0\0\0\0\0\0", 10) &&
                byte(10) == 0xff && byte(11) == 0xff;
  if (b.size() == 4 || mapped) {
    std::size_t o = b.size() - 4;
    return std::to_string(byte(o)) + "." + std::to_string(byte(o + 1)) + "." + std::to_string(byte(o + 2)) + "." +
           std::to_string(byte(o + 3));
  }
  if (b.empty()) {
    return "<nil>";
  }
  if (b.size() != 16) {
    std::string out = "?";
    for (std::size_t i = 0; i < b.size(); ++i) {
      out += kHex[byte(i) >> 4];
      out += kHex[byte(i) & 15];
    }
    return out;
  }
  unsigned g[8];
  for (int i = 0; i < 8; ++i) {
    g[i] = byte(2 * i) << 8 | byte(2 * i + 1);
  }
  // The longest run of zero groups (two or more; the first of equal runs) becomes "::".
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0) {
      ++j;
    }
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') {
      out += ':';
    }
    std::snprintf(buf, sizeof buf, "%x", g[i]);
    out += buf;
  }
  return out;
}

}  // namespace hostwatch
