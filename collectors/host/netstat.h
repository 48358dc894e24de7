// netstat collector: node_netstat_<Protocol>_<Field> (untyped, as in
// node_exporter) from /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6,
// for the "<Protocol>_<Field>" keys matching --collector.netstat.fields (RE2,
// unanchored like Go's MatchString; node_exporter's default selects the
// fields dashboards and the node-mixin use: Tcp_RetransSegs, Udp_InErrors, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

struct NetstatField {
  std::string protocol;  // "Tcp", "TcpExt", "Ip6", ...
  std::string name;      // "RetransSegs", "InOctets", ...
  double value = 0;
};

// Parses /proc/net/netstat or /proc/net/snmp: pairs of lines
// "Proto: Name1 Name2 ..." / "Proto: v1 v2 ...". A pair whose second line has
// another prefix or another field count is skipped and counted (when the
// prefixes differ, parsing resumes at the second line); a non-numeric value
// or a name with characters outside [A-Za-z0-9_] skips and counts that field
// only.
std::vector<NetstatField> ParseNetstatPairs(std::string_view text, std::uint64_t* parse_errors);

// Parses /proc/net/snmp6: "Ip6InReceives  123" lines; the protocol is the
// name up to and including its first '6' (as node_exporter splits it). Lines
// that are not two fields, have no '6', a non-numeric value or a name with
// characters outside [A-Za-z0-9_] are skipped and counted.
std::vector<NetstatField> ParseSnmp6(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec NetstatCollectorSpec();

}  // namespace hostwatch
