#include "collectors/checks/ip_network.h"

#include <arpa/inet.h>

#include <cstring>
#include <vector>

namespace hostwatch {
namespace {

ProtectedRange Range(const char* text, int prefix_length, std::string_view what) {
  ProtectedRange r{};
  ParseIp(text, &r.family, r.network);
  r.prefix_length = prefix_length;
  r.what = what;
  return r;
}

const std::vector<ProtectedRange>& ProtectedRanges() {
  // Most specific first: the first range that contains an address names it.
  static const std::vector<ProtectedRange> kRanges = {
      Range("169.254.169.254", 32, "cloud metadata"),  // AWS, GCP, Azure, OCI, OpenStack, DigitalOcean
      Range("fd00:ec2::254", 128, "cloud metadata"),   // AWS IMDS over IPv6
      Range("100.100.100.200", 32, "cloud metadata"),  // Alibaba Cloud
      Range("127.0.0.0", 8, "loopback"),
      Range("::1", 128, "loopback"),
      Range("0.0.0.0", 8, "unspecified (reaches the local host)"),
      Range("::", 128, "unspecified (reaches the local host)"),
      Range("169.254.0.0", 16, "link-local"),
      Range("fe80::", 10, "link-local"),
  };
  return kRanges;
}

}  // namespace

bool ParseIp(const std::string& text, int* family, std::uint8_t* bytes) {
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

bool PrefixEqual(const std::uint8_t* a, const std::uint8_t* b, int prefix_length) {
  int full = prefix_length / 8;
  if (std::memcmp(a, b, static_cast<std::size_t>(full)) != 0) {
    return false;
  }
  int rest = prefix_length % 8;
  if (rest == 0) {
    return true;
  }
  std::uint8_t mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

void UnmapV4(int* family, const std::uint8_t** addr, std::uint8_t* v4) {
  static const std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (*family == AF_INET6 && std::memcmp(*addr, kMappedPrefix, 12) == 0) {
    std::memcpy(v4, *addr + 12, 4);
    *family = AF_INET;
    *addr = v4;
  }
}

const ProtectedRange* ProtectedRangeOf(int family, const std::uint8_t* addr) {
  std::uint8_t v4[4];
  UnmapV4(&family, &addr, v4);
  for (const ProtectedRange& r : ProtectedRanges()) {
    if (r.family == family && PrefixEqual(r.network, addr, r.prefix_length)) {
      return &r;
    }
  }
  return nullptr;
}

std::string ProtectedRangeText(const ProtectedRange& range) {
  char text[INET6_ADDRSTRLEN] = "?";
  inet_ntop(range.family, range.network, text, sizeof(text));
  return std::string(text) + "/" + std::to_string(range.prefix_length);
}

}  // namespace hostwatch
