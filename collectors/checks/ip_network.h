// IP address arithmetic for the /probe allow-list (target_policy.h): parsing
// literals, prefix comparison, IPv4-mapped IPv6, and the protected ranges, the
// addresses that reach the agent's own host or its cloud's metadata service
// and that an ad-hoc probe may connect to only when an address entry names
// them explicitly.
//
// Addresses are (family, bytes): AF_INET with 4 bytes or AF_INET6 with 16,
// network byte order. Pure; safe on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hostwatch {

// Parses an IPv4 or IPv6 literal (no brackets, no zone) into *family and
// bytes (16 bytes of room); false if text is not one.
bool ParseIp(const std::string& text, int* family, std::uint8_t* bytes);

// True if the first prefix_length bits of a and b agree.
bool PrefixEqual(const std::uint8_t* a, const std::uint8_t* b, int prefix_length);

// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address for our
// rules: a dual-stack socket may report it so, and it reaches the IPv4 host.
// Rewrites *family and *addr to the IPv4 form (its 4 bytes copied into v4).
void UnmapV4(int* family, const std::uint8_t** addr, std::uint8_t* v4);

// One protected range: an address in it reaches the agent's host itself or a
// service no caller of /probe should reach through us.
struct ProtectedRange {
  int family;
  std::uint8_t network[16];
  int prefix_length;
  std::string_view what;  // "loopback", "link-local", "cloud metadata", ... for messages
};

// The most specific protected range addr lies in (169.254.169.254 is "cloud
// metadata", not merely "link-local"), or null. The ranges: 127.0.0.0/8 and
// ::1 (loopback), 0.0.0.0/8 and :: (unspecified: connecting there reaches the
// local host on Linux), 169.254.0.0/16 and fe80::/10 (link-local),
// 169.254.169.254, fd00:ec2::254 (AWS's IPv6 instance metadata) and
// 100.100.100.200 (Alibaba Cloud's) (cloud metadata). addr is unmapped first.
const ProtectedRange* ProtectedRangeOf(int family, const std::uint8_t* addr);

// The range as text, e.g. "127.0.0.0/8" or "fd00:ec2::254/128".
std::string ProtectedRangeText(const ProtectedRange& range);

}  // namespace hostwatch
