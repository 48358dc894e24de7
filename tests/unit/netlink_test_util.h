// Netlink messages as the kernel sends them, for the tests of dump parsers
// (arp's RTM_GETNEIGH, tcpstat's inet_diag).
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <string>

namespace hostwatch::testing {

// One message: header, body, padding to 4 bytes.
inline std::string NetlinkMessageBytes(std::uint16_t type, const void* body, std::size_t len) {
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(len));
  h.nlmsg_type = type;
  std::string msg(reinterpret_cast<const char*>(&h), sizeof(h));
  msg.resize(NLMSG_HDRLEN, '\0');
  msg.append(static_cast<const char*>(body), len);
  msg.resize(NLMSG_ALIGN(msg.size()), '\0');
  return msg;
}

// The NLMSG_DONE that ends a dump.
inline std::string NetlinkDoneBytes() {
  int zero = 0;
  return NetlinkMessageBytes(NLMSG_DONE, &zero, sizeof(zero));
}

}  // namespace hostwatch::testing
