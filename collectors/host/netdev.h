// netdev collector: node_network_{receive,transmit}_*_total{device}, named as
// node_exporter names them, with --collector.netdev.device-include and
// device-exclude. Like node_exporter, the default source is rtnetlink
// (RTM_GETLINK, 64-bit stats of the agent's network namespace, which also
// gives node_network_receive_nohandler_total); --collector.netdev.netlink=false
// reads <procfs>/net/dev instead, which honours --path.procfs. Options as
// upstream: enable-detailed-metrics (the source's own keys, unfolded),
// label-ifalias (an ifalias label from <sysfs>/class/net/<dev>/ifalias) and
// address-info (node_network_address_info, netdev_address.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// node_exporter's keys for interface statistics; each is the family
// node_network_<key>_total. /proc/net/dev gives the first 16 (under these
// names), rtnetlink's IFLA_STATS64 the detailed ones; node_exporter's
// legacy() (applied unless --collector.netdev.enable-detailed-metrics)
// renames and folds them into /proc/net/dev's historic names (receive_errs,
// receive_drop, ...), as net/core/net-procfs.c does.
enum NetDevStat : std::uint8_t {
  kReceiveBytes,
  kReceivePackets,
  kReceiveErrors,
  kReceiveDropped,
  kReceiveFifo,
  kReceiveFrame,
  kReceiveCompressed,
  kReceiveMulticast,
  kTransmitBytes,
  kTransmitPackets,
  kTransmitErrors,
  kTransmitDropped,
  kTransmitFifo,
  kTransmitColls,
  kTransmitCarrier,
  kTransmitCompressed,
  // rtnetlink only
  kMulticast,
  kCollisions,
  kReceiveLengthErrors,
  kReceiveOverErrors,
  kReceiveCrcErrors,
  kReceiveFrameErrors,
  kReceiveFifoErrors,
  kReceiveMissedErrors,
  kTransmitAbortedErrors,
  kTransmitCarrierErrors,
  kTransmitFifoErrors,
  kTransmitHeartbeatErrors,
  kTransmitWindowErrors,
  kReceiveNohandler,
  // legacy() names
  kReceiveErrs,
  kReceiveDrop,
  kTransmitErrs,
  kTransmitDrop,
  kNetDevStatCount
};

// The key as node_exporter spells it ("receive_bytes").
std::string_view NetDevStatName(NetDevStat stat);

// The statistics of one interface, by key; nullopt: the source has no such key.
using NetDevStats = std::array<std::optional<std::uint64_t>, kNetDevStatCount>;

struct NetDevLine {
  std::string device;
  NetDevStats stats{};
};

// node_exporter's legacy(): receive_errors -> receive_errs, receive_dropped
// (+ receive_missed_errors) -> receive_drop, receive_frame_errors (+ length,
// over, crc) -> receive_frame, transmit_carrier_errors (+ aborted, heartbeat,
// window) -> transmit_carrier, and so on; keys it does not know are kept.
void FoldLegacyNetDevStats(NetDevStats& stats);

// Parses /proc/net/dev (two header lines, then "name: 16 numbers") into the
// first 16 keys. A line
// that does not have that shape is skipped and counted in *parse_errors.
std::vector<NetDevLine> ParseNetDev(std::string_view text, std::uint64_t* parse_errors);

// Parses the datagrams of an rtnetlink RTM_GETLINK dump (concatenated, each
// padded to 4 bytes): one NetDevLine per RTM_NEWLINK message that has
// IFLA_IFNAME and IFLA_STATS64, with node_exporter's 24 detailed keys
// (receive_nohandler 0 before Linux 4.6). A truncated message is counted in *parse_errors; an
// NLMSG_ERROR message makes the whole dump an Error.
Result<std::vector<NetDevLine>> ParseRtnlLinkDump(std::string_view bytes, std::uint64_t* parse_errors);

CollectorSpec NetdevCollectorSpec();

}  // namespace hostwatch
