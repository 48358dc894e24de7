// tcpstat collector (off by default, as in node_exporter): TCP sockets per
// state, and the bytes in their queues, as node_tcp_connection_states{state}.
// Sockets come from a NETLINK_SOCK_DIAG (inet_diag) dump for IPv4 and, when
// /proc/net/tcp6 exists, IPv6, like node_exporter; when netlink cannot be
// used (no inet_diag in the kernel, a seccomp filter) the collector counts
// the lines of /proc/net/tcp and /proc/net/tcp6 instead.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

struct TcpStats {
  std::array<double, 12> by_state{};  // index: the kernel's TCP_* number (1 established ... 11 closing)
  double tx_queued_bytes = 0;
  double rx_queued_bytes = 0;
  bool any = false;  // a socket was counted (node_exporter exports nothing without one)
};

// Adds the sockets of an inet_diag dump (NetlinkDump bytes) to *stats.
// Error when the dump reports one; a message too short for inet_diag_msg is
// skipped and counted in *parse_errors.
Status AddInetDiagDump(std::string_view bytes, TcpStats* stats, std::uint64_t* parse_errors);

// Adds the sockets of /proc/net/tcp or tcp6 (header line first) to *stats;
// a line that does not parse is skipped and counted in *parse_errors.
void AddProcNetTcp(std::string_view text, TcpStats* stats, std::uint64_t* parse_errors);

CollectorSpec TcpstatCollectorSpec();

}  // namespace hostwatch
