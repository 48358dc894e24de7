// netdev collector: node_network_{receive,transmit}_*_total{device} from
// <procfs>/net/dev, named as node_exporter names them (its /proc/net/dev mode,
// --no-collector.netdev.netlink), with --collector.netdev.device-include and
// device-exclude.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector.h"

namespace hostwatch {

// Counters of one interface, in /proc/net/dev column order: receive bytes,
// packets, errs, drop, fifo, frame, compressed, multicast, then transmit
// bytes, packets, errs, drop, fifo, colls, carrier, compressed.
struct NetDevLine {
  std::string device;
  std::array<std::uint64_t, 16> counters{};
};

// Parses /proc/net/dev (two header lines, then "name: 16 numbers"). A line
// that does not have that shape is skipped and counted in *parse_errors.
std::vector<NetDevLine> ParseNetDev(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec NetdevCollectorSpec();

}  // namespace hostwatch
