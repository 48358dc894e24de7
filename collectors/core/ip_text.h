// IP addresses as label text, the way node_exporter and ssl_exporter print
// them (Go's net.IP.String()), for the collectors that get raw address bytes
// from the kernel or a certificate: network_route (rtnetlink), x509
// (subjectAltName iPAddress), dns (AAAA). Pure; safe on any thread.
#pragma once

#include <string>
#include <string_view>

namespace hostwatch {

// Address bytes as Go's net.IP.String(): dotted quad for IPv4 and for
// IPv4-mapped IPv6, otherwise lower-case hex groups with the longest run (two
// or more) of zero groups as "::". No bytes give "<nil>"; any other length
// gives "?" followed by the hex bytes, as Go does.
std::string FormatIpLabel(std::string_view bytes);

}  // namespace hostwatch
