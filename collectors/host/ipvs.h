// ipvs collector: IP Virtual Server totals from /proc/net/ip_vs_stats as
// node_ipvs_*_total, and per-backend connections and weights from
// /proc/net/ip_vs as node_ipvs_backend_*, labelled with the labels chosen by
// --collector.ipvs.backend-labels, as node_exporter exports them. Without the
// ip_vs module the files do not exist: no data, as in node_exporter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The totals line of /proc/net/ip_vs_stats.
struct IpvsStats {
  double connections = 0, incoming_packets = 0, outgoing_packets = 0, incoming_bytes = 0, outgoing_bytes = 0;
};

// One "->" row of /proc/net/ip_vs under its virtual service.
struct IpvsBackend {
  std::string local_address;  // "" for a firewall-mark (FWM) service
  std::uint16_t local_port = 0;
  std::string remote_address;
  std::uint16_t remote_port = 0;
  std::string proto;       // TCP, UDP or FWM
  std::string local_mark;  // the mark of an FWM service, else ""
  std::uint64_t weight = 0, active_conn = 0, inact_conn = 0;
};

// Parses ip_vs_stats: the third line holds the five hex totals. nullopt (one
// parse error counted) when the file is shorter or that line is not five hex
// numbers, as node_exporter's procfs rejects it.
std::optional<IpvsStats> ParseIpvsStats(std::string_view text, std::uint64_t* parse_errors);

// Parses /proc/net/ip_vs. Addresses are hex "C0A80016:0CEA" (IPv4) or
// "[2001:0db8:...]:0CEA" (IPv6) and are printed as Go's net.IP prints them.
// A backend row or service line whose address, port or numbers do not parse
// is skipped (for a service line, with its backends) and counted.
std::vector<IpvsBackend> ParseIpvsBackends(std::string_view text, std::uint64_t* parse_errors);

// The --collector.ipvs.backend-labels value as the label names to export, in
// node_exporter's fixed order (local_address, local_port, remote_address,
// remote_port, proto, local_mark) whatever the order given. Empty items are
// ignored; an unknown label is an error naming every unknown one.
Result<std::vector<std::string>> ParseIpvsBackendLabels(std::string_view list);

CollectorSpec IpvsCollectorSpec();

}  // namespace hostwatch
