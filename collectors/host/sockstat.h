// sockstat collector: node_sockstat_<PROTOCOL>_<state> gauges from
// /proc/net/sockstat and /proc/net/sockstat6, named exactly as node_exporter
// names them (node_sockstat_TCP_inuse, node_sockstat_TCP_mem_bytes,
// node_sockstat_sockets_used, ...). Either file may be missing (IPv6
// disabled): its metrics are then left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One protocol line such as "TCP: inuse 4 orphan 0 tw 4 alloc 17 mem 1".
// Only the keys node_exporter exports are kept; inuse is 0 when absent, the
// others are unset (and not exported) when absent.
struct SockstatProtocol {
  std::string name;  // "TCP", "UDP6", ...
  double inuse = 0;
  std::optional<double> orphan, tw, alloc, mem, memory;
};

struct Sockstat {
  std::optional<double> sockets_used;       // the "sockets: used N" line
  std::vector<SockstatProtocol> protocols;  // in file order
};

// Parses sockstat or sockstat6. A line that is not "<name>: key value ..."
// with at least one pair, integer values and a name of [A-Za-z0-9_] is
// skipped and counted in *parse_errors; unknown keys are ignored.
Sockstat ParseSockstat(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec SockstatCollectorSpec();

}  // namespace hostwatch
