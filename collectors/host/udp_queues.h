// udp_queues collector: the bytes queued in the kernel for all UDP sockets,
// summed from /proc/net/udp and /proc/net/udp6, as
// node_udp_queues{ip="v4"|"v6",queue="tx"|"rx"} (node_exporter's udp_queues).
#pragma once

#include <cstdint>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

struct UdpQueues {
  double tx = 0;
  double rx = 0;
};

// Sums the tx and rx queues of a socket table (header line first). A socket
// line that does not parse is skipped and counted in *parse_errors.
UdpQueues ParseUdpQueues(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec UdpQueuesCollectorSpec();

}  // namespace hostwatch
