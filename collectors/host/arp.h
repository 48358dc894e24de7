// arp collector: IPv4 neighbour (ARP) entries per device as
// node_arp_entries{device}, from rtnetlink (RTM_GETNEIGH, the default, as in
// node_exporter) or, with --no-collector.arp.netlink, from /proc/net/arp.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// Entries per device in /proc/net/arp. The header line is skipped; a line
// without the six columns or whose flags are not a number is skipped and
// counted in *parse_errors.
std::map<std::string, double> ParseProcNetArp(std::string_view text, std::uint64_t* parse_errors);

// Entries per interface index in an RTM_GETNEIGH dump (NetlinkDump bytes),
// leaving out NUD_NOARP entries as node_exporter does. Error when the dump
// reports one; a message too short for its ndmsg is skipped and counted.
Result<std::map<int, double>> ParseNeighbourDump(std::string_view bytes, std::uint64_t* parse_errors);

CollectorSpec ArpCollectorSpec();

}  // namespace hostwatch
