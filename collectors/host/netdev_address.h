// netdev's --collector.netdev.address-info: node_network_address_info
// {device,address,netmask,scope} for every IPv4 and IPv6 address of every
// interface, as node_exporter 1.12.1 derives it from Go's net.Interfaces()
// and Interface.Addrs(): the address as Go's net.IP prints it, the prefix
// length, and a scope computed from the address itself (not the kernel's
// ifa_scope). Read from one rtnetlink RTM_GETLINK dump (names) and one
// RTM_GETADDR dump (addresses), the two dumps Go's net package makes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

struct NetAddressInfo {
  std::string device, address, netmask, scope;
};

// ifindex -> name of each RTM_NEWLINK message of an RTM_GETLINK dump. A
// message without a name is skipped and counted in *parse_errors.
Result<std::map<int, std::string>> ParseRtnlLinkNames(std::string_view dump, std::uint64_t* parse_errors);

// The addresses of an RTM_GETADDR dump whose family is AF_INET or AF_INET6,
// on the interfaces named in `names`, in dump order. Like Go, the address is
// IFA_LOCAL when the message has one (the local end of a point-to-point
// link), else IFA_ADDRESS. A message without either, or with an address of
// the wrong length, is skipped and counted in *parse_errors.
Result<std::vector<NetAddressInfo>> ParseRtnlAddresses(std::string_view dump, const std::map<int, std::string>& names,
                                                       std::uint64_t* parse_errors);

// The (address, netmask, scope) labels node_exporter gives an address of
// `bytes` (4 or 16) with this prefix length: Go's IP.String() (an
// IPv4-mapped IPv6 address prints as IPv4, with the prefix less 96), and
// scope "link-local" (loopback, link-local unicast or multicast),
// "interface-local" (IPv6 ff01::/16-style multicast), "global" (global
// unicast, private ranges included) or "".
NetAddressInfo GoAddressLabels(std::string_view bytes, unsigned prefix_len);

}  // namespace hostwatch
