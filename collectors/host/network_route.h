// network_route collector (off by default, as in node_exporter 1.12.1): the
// unicast routes of every routing table, from one rtnetlink RTM_GETROUTE dump
// (IPv4 and IPv6), as node_network_route_info{device, src, dest, gw,
// priority, proto, weight} (one series per next hop of a multipath route,
// weight = rtnh_hops + 1; "" for a single-path route) and
// node_network_routes{device}, the number of those series per device.
// Labels as node_exporter prints them: addresses in Go's net.IP form, dest
// "default" for a zero-length prefix, proto the kernel's RTPROT_* name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One next hop of an RTA_MULTIPATH route.
struct RouteNextHop {
  std::uint32_t ifindex = 0;  // rtnh_ifindex
  std::uint8_t hops = 0;      // rtnh_hops: the weight minus one
  std::string gateway;        // RTA_GATEWAY bytes, "" when absent
};

// One RTM_NEWROUTE message: the rtmsg fields and RTA_* attributes node_exporter reads.
struct RtnlRoute {
  std::uint8_t family = 0, dst_len = 0, protocol = 0, type = 0;
  std::string dst, prefsrc, gateway;  // address bytes (4 or 16), "" when absent
  std::uint32_t oif = 0, priority = 0;
  std::vector<RouteNextHop> multipath;
};

// Parses an RTM_GETROUTE dump (NetlinkDump bytes). An NLMSG_ERROR in the dump
// or a message running past the data is an Error; a message too short for its
// rtmsg, with truncated attributes, an address that is not 4 or 16 bytes or a
// malformed RTA_MULTIPATH is skipped and counted in *parse_errors
// (node_exporter's library fails the whole scrape there).
Result<std::vector<RtnlRoute>> ParseRouteDump(std::string_view bytes, std::uint64_t* parse_errors);

// The dest label: "default" for a zero-length prefix, else "<network>/<len>" as
// Go's net.IPNet.String() prints it ("<nil>" without an address).
std::string RouteDestination(std::string_view dst, std::uint8_t dst_len);

// The proto label: the RTPROT_* name node_exporter knows for protocol, else "unknown".
std::string RouteProtocolName(std::uint8_t protocol);

// Adds the series of the unicast routes (rtm_type RTN_UNICAST; others are
// left out as node_exporter does); names maps an interface index to its name
// ("" for an index it lacks). The part of a scrape after the two dumps.
void AddNetworkRouteSeries(const std::vector<RtnlRoute>& routes,
                           const std::unordered_map<std::uint32_t, std::string>& names, MetricSink& sink);

CollectorSpec NetworkRouteCollectorSpec();

}  // namespace hostwatch
