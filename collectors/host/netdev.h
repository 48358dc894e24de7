// netdev collector: node_network_{receive,transmit}_*_total{device}, named as
// node_exporter names them, with --collector.netdev.device-include and
// device-exclude. Like node_exporter, the default source is rtnetlink
// (RTM_GETLINK, 64-bit stats of the agent's network namespace, which also
// gives node_network_receive_nohandler_total); --collector.netdev.netlink=false
// reads <procfs>/net/dev instead, which honours --path.procfs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// Counters of one interface, in /proc/net/dev column order: receive bytes,
// packets, errs, drop, fifo, frame, compressed, multicast, then transmit
// bytes, packets, errs, drop, fifo, colls, carrier, compressed.
struct NetDevLine {
  std::string device;
  std::array<std::uint64_t, 16> counters{};
  // Packets dropped for lack of a protocol handler: rtnetlink only.
  std::optional<std::uint64_t> receive_nohandler;
};

// Parses /proc/net/dev (two header lines, then "name: 16 numbers"). A line
// that does not have that shape is skipped and counted in *parse_errors.
std::vector<NetDevLine> ParseNetDev(std::string_view text, std::uint64_t* parse_errors);

// Parses the datagrams of an rtnetlink RTM_GETLINK dump (concatenated, each
// padded to 4 bytes): one NetDevLine per RTM_NEWLINK message that has
// IFLA_IFNAME and IFLA_STATS64, with the kernel's detailed error counters
// folded into /proc/net/dev's columns the way net/core/net-procfs.c (and
// node_exporter) do. A truncated message is counted in *parse_errors; an
// NLMSG_ERROR message makes the whole dump an Error.
Result<std::vector<NetDevLine>> ParseRtnlLinkDump(std::string_view bytes, std::uint64_t* parse_errors);

CollectorSpec NetdevCollectorSpec();

}  // namespace hostwatch
