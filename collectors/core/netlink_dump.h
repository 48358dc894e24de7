// One netlink dump request (NLM_F_DUMP) and its reply, for the collectors
// that ask the kernel instead of reading /proc: netdev and netclass
// (RTM_GETLINK; netdev's address-info also RTM_GETADDR), arp (RTM_GETNEIGH), network_route (RTM_GETROUTE), qdisc
// (RTM_GETQDISC), tcpstat (SOCK_DIAG_BY_FAMILY), netclass's link modes
// (generic netlink, ethtool family) and wifi (generic netlink, nl80211).
//
// Each call opens its own socket, so concurrent calls are independent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

// Opens a netlink socket of `protocol` (NETLINK_ROUTE, NETLINK_SOCK_DIAG),
// sends `request` (a complete message: nlmsghdr with NLM_F_DUMP, then the
// body) and returns the reply datagrams concatenated, each padded to 4
// bytes, up to and including the datagram with NLMSG_DONE or NLMSG_ERROR.
// The socket has a 2 s receive timeout, so a wedged kernel cannot hang a
// collector. Error when the socket cannot be opened or used.
Result<std::string> NetlinkDump(int protocol, std::string_view request);

// One message of a dump: its type and the bytes after its header.
struct NetlinkMessage {
  std::uint16_t type = 0;
  std::string_view payload;
};

// The messages of a NetlinkDump reply, up to NLMSG_DONE. An NLMSG_ERROR
// with a nonzero code makes the whole dump an Error carrying that errno; a
// message whose length runs past the data is an Error.
Result<std::vector<NetlinkMessage>> SplitNetlinkDump(std::string_view bytes);

// One attribute (rtattr / nlattr: length, type, value): its type without the
// NLA_F_NESTED and NLA_F_NET_BYTEORDER bits, and its value bytes.
struct NetlinkAttribute {
  std::uint16_t type = 0;
  std::string_view value;
};

// The attributes packed in `bytes` (a message's payload after its fixed
// header, or a nested attribute's value). Stops at an attribute whose length
// is shorter than its header or runs past the data, and sets *truncated.
std::vector<NetlinkAttribute> SplitNetlinkAttributes(std::string_view bytes, bool* truncated);

// A request message: nlmsghdr (type, flags, sequence 1), `header` (the
// family's fixed header: ifinfomsg, rtmsg, tcmsg, genlmsghdr, ...) padded to
// 4 bytes, then `attributes` (NetlinkAttributeBytes, concatenated).
std::string NetlinkRequest(std::uint16_t type, std::uint16_t flags, std::string_view header,
                           std::string_view attributes = {});

// One attribute as the kernel expects it: nlattr header, value, padding.
std::string NetlinkAttributeBytes(std::uint16_t type, std::string_view value);

// An rtnetlink dump of `type` (RTM_GETLINK, RTM_GETROUTE, RTM_GETQDISC) whose
// request body is `header` (all zero: every family, every object).
Result<std::string> DumpRtnl(std::uint16_t type, std::string_view header);

// Every link of the caller's network namespace: an RTM_GETLINK dump
// (AF_UNSPEC, no extended filter) as NetlinkDump returns it.
Result<std::string> DumpRtnlLinks();

// Every IPv4 and IPv6 address of the caller's network namespace: an
// RTM_GETADDR dump (AF_UNSPEC) as NetlinkDump returns it.
Result<std::string> DumpRtnlAddresses();
// Attribute values in host byte order, as the kernel writes them. A value
// shorter than the type is read as far as it goes (the rest zero); callers
// that must reject short values check the size first.
std::uint16_t NetlinkU16(std::string_view value);
std::uint32_t NetlinkU32(std::string_view value);
std::uint64_t NetlinkU64(std::string_view value);
// A string attribute without its NUL terminator (and anything after it).
std::string NetlinkString(std::string_view value);

// The id of the generic netlink family `name` ("ethtool", "nl80211"), asked
// of the kernel's controller (CTRL_CMD_GETFAMILY). An Error whose
// sys_errno() is ENOENT when the kernel has no such family.
Result<std::uint16_t> GenericNetlinkFamilyId(std::string_view name);

}  // namespace hostwatch
