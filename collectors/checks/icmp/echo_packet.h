// ICMP and ICMPv6 echo messages as the icmp prober sends and reads them: the
// request it writes, and the parser for whatever arrives on its socket (a raw
// socket sees every echo reply on the host, and raw IPv4 reads start with the
// IP header). Pure functions on bytes; no I/O, safe on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hostwatch {

// blackbox_exporter's echo payload: its 28-byte text, or payload_size bytes
// starting with that text (cut or padded with zero bytes).
std::string EchoPayload(int payload_size);

// An echo request (IPv4 type 8, or ICMPv6 type 128), code 0, with the
// Internet checksum filled in for IPv4 (for ICMPv6 the kernel computes it over
// the pseudo-header; it is left 0).
std::string BuildEchoRequest(bool ipv6, std::uint16_t id, std::uint16_t seq, std::string_view payload);

// The RFC 1071 Internet checksum of data.
std::uint16_t InternetChecksum(std::string_view data);

struct EchoReply {
  std::uint16_t id = 0;
  std::uint16_t seq = 0;
  std::string_view payload;  // points into the parsed packet
  int ip_ttl = -1;           // from the IPv4 header when the packet had one; -1 otherwise
};

// Parses one packet read from an ICMP socket: ip_header says whether it
// starts with an IPv4 header (raw IPv4 sockets). Returns the echo reply
// (IPv4 type 0 / ICMPv6 type 129, code 0), or nullopt for anything else:
// another message type, a truncated or malformed packet, an IPv4 header that
// is not version 4 or not ICMP.
std::optional<EchoReply> ParseEchoReply(std::string_view packet, bool ipv6, bool ip_header);

// Whether a reply answers one of this run's echoes: same payload, and the
// run's id when it knows it (raw sockets; a datagram socket's kernel sets the
// id and delivers only replies to it, so id is nullopt there).
bool AnswersRun(const EchoReply& reply, std::optional<std::uint16_t> id, std::string_view payload);

}  // namespace hostwatch
