#include "collectors/host/netdev_address.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "collectors/core/netlink_dump.h"

namespace hostwatch {
namespace {

using Bytes16 = std::array<std::uint8_t, 16>;

// Go's netip string form of an IPv6 address (RFC 5952): lower-case hex groups
// without leading zeros, the first longest run of two or more zero groups as "::".
std::string FormatIpv6(const Bytes16& b) {
  std::array<unsigned, 8> g{};
  for (std::size_t i = 0; i < 8; ++i) {
    g[i] = (static_cast<unsigned>(b[2 * i]) << 8) | b[2 * i + 1];
  }
  std::size_t zero_start = 8, zero_len = 0;
  for (std::size_t i = 0; i < 8;) {
    std::size_t j = i;
    while (j < 8 && g[j] == 0) {
      ++j;
    }
    if (j - i >= 2 && j - i > zero_len) {
      zero_start = i;
      zero_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char hex[8];
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == zero_start) {
      out += "::";
      i += zero_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') {
      out += ':';
    }
    std::snprintf(hex, sizeof(hex), "%x", g[i]);
    out += hex;
  }
  return out;
}

std::string FormatIpv4(const std::uint8_t* b) {
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." + std::to_string(b[3]);
}

// Go's IP.IsLoopback() || IsLinkLocalUnicast() || IsLinkLocalMulticast(), IsInterfaceLocalMulticast()
// and IsGlobalUnicast(), on an IPv4 address (4 bytes) or a non-mapped IPv6 one.
std::string Ipv4Scope(const std::uint8_t* b) {
  const bool loopback = b[0] == 127;
  const bool link_local = (b[0] == 169 && b[1] == 254) || (b[0] == 224 && b[1] == 0 && b[2] == 0);
  if (loopback || link_local) {
    return "link-local";
  }
  const bool unspecified = b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0;
  const bool broadcast = b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255;
  const bool multicast = (b[0] & 0xf0) == 0xe0;
  return unspecified || broadcast || multicast ? "" : "global";
}

std::string Ipv6Scope(const Bytes16& b) {
  static const Bytes16 kLoopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const bool link_local_unicast = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
  const bool link_local_multicast = b[0] == 0xff && (b[1] & 0x0f) == 0x02;
  if (b == kLoopback || link_local_unicast || link_local_multicast) {
    return "link-local";
  }
  if (b[0] == 0xff && (b[1] & 0x0f) == 0x01) {
    return "interface-local";
  }
  const bool unspecified = std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
  return unspecified || b[0] == 0xff ? "" : "global";
}

}  // namespace

NetAddressInfo GoAddressLabels(std::string_view bytes, unsigned prefix_len) {
  NetAddressInfo out;
  const auto* b = reinterpret_cast<const std::uint8_t*>(bytes.data());
  if (bytes.size() == 4) {
    out.address = FormatIpv4(b);
    out.netmask = std::to_string(prefix_len);
    out.scope = Ipv4Scope(b);
    return out;
  }
  Bytes16 v6{};
  std::memcpy(v6.data(), b, std::min<std::size_t>(bytes.size(), v6.size()));
  static const std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), v6.begin())) {
    // Go prints ::ffff:a.b.c.d as a.b.c.d, and its /n as the last 32 bits of the mask.
    out.address = FormatIpv4(v6.data() + 12);
    out.netmask = std::to_string(prefix_len > 96 ? prefix_len - 96 : 0);
    out.scope = Ipv4Scope(v6.data() + 12);
    return out;
  }
  out.address = FormatIpv6(v6);
  out.netmask = std::to_string(prefix_len);
  out.scope = Ipv6Scope(v6);
  return out;
}

Result<std::map<int, std::string>> ParseRtnlLinkNames(std::string_view dump, std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(dump);
  if (!messages.ok()) {
    return messages.status();
  }
  std::map<int, std::string> names;
  for (const NetlinkMessage& m : messages.value()) {
    if (m.type != RTM_NEWLINK || m.payload.size() < NLMSG_ALIGN(sizeof(ifinfomsg))) {
      *parse_errors += m.type == RTM_NEWLINK ? 1 : 0;
      continue;
    }
    ifinfomsg info;
    std::memcpy(&info, m.payload.data(), sizeof(info));
    bool truncated = false;
    std::string name;
    for (const NetlinkAttribute& a :
         SplitNetlinkAttributes(m.payload.substr(NLMSG_ALIGN(sizeof(ifinfomsg))), &truncated)) {
      if (a.type == IFLA_IFNAME) {
        name.assign(a.value.data(), strnlen(a.value.data(), a.value.size()));
      }
    }
    if (name.empty()) {
      ++*parse_errors;
      continue;
    }
    names[info.ifi_index] = std::move(name);
  }
  return names;
}

Result<std::vector<NetAddressInfo>> ParseRtnlAddresses(std::string_view dump, const std::map<int, std::string>& names,
                                                       std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(dump);
  if (!messages.ok()) {
    return messages.status();
  }
  std::vector<NetAddressInfo> out;
  for (const NetlinkMessage& m : messages.value()) {
    if (m.type != RTM_NEWADDR) {
      continue;
    }
    ifaddrmsg ifa{};
    if (m.payload.size() < NLMSG_ALIGN(sizeof(ifa))) {
      ++*parse_errors;
      continue;
    }
    std::memcpy(&ifa, m.payload.data(), sizeof(ifa));
    if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6) {
      continue;
    }
    bool truncated = false;
    std::string_view local, address;
    for (const NetlinkAttribute& a : SplitNetlinkAttributes(m.payload.substr(NLMSG_ALIGN(sizeof(ifa))), &truncated)) {
      if (a.type == IFA_LOCAL) {
        local = a.value;
      } else if (a.type == IFA_ADDRESS) {
        address = a.value;
      }
    }
    std::string_view addr = local.empty() ? address : local;
    if (addr.size() != (ifa.ifa_family == AF_INET ? 4u : 16u)) {
      ++*parse_errors;
      continue;
    }
    auto name = names.find(static_cast<int>(ifa.ifa_index));
    if (name == names.end()) {
      continue;  // the interface came after the link dump, or went: Go would not list it either
    }
    NetAddressInfo info = GoAddressLabels(addr, ifa.ifa_prefixlen);
    info.device = name->second;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace hostwatch
