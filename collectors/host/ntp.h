// ntp collector: one SNTP client query per scrape to --collector.ntp.server, as
// node_exporter 1.12.1's (deprecated upstream, still there): node_ntp_{stratum,
// leap,rtt_seconds,offset_seconds,reference_timestamp_seconds,root_delay_seconds,
// root_dispersion_seconds,sanity}. The wire format is the 48-byte NTP header of
// RFC 5905 section 7.3, built and parsed here; the arithmetic (offset, delay,
// root distance, the sanity verdict) follows RFC 5905 section 8 exactly the way
// node_exporter's library (beevik/ntp 1.5.0) does it, rounding included, so the
// same reply gives the same values.
//
// The exchange is one non-blocking UDP socket: send, then poll() until the reply
// 1 s has passed (upstream's fixed timeout, well inside --scrape.collector-timeout's
// default 8 s), so a silent server fails the collector in time and never holds the scrape.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// An NTP timestamp: seconds since 1900 in the high 32 bits, the fraction in the low 32.
using NtpTimestamp = std::uint64_t;

// The fixed part of an NTP packet (RFC 5905 figure 8), fields in host order.
struct NtpPacket {
  int leap = 0;     // LI, 2 bits
  int version = 0;  // VN, 3 bits
  int mode = 0;     // 3 = client, 4 = server
  int stratum = 0;
  int poll = 0;
  int precision = 0;
  std::uint32_t root_delay = 0;       // NTP short format: 16.16 seconds
  std::uint32_t root_dispersion = 0;  // NTP short format
  std::uint32_t reference_id = 0;
  NtpTimestamp reference_time = 0;
  NtpTimestamp origin_time = 0;
  NtpTimestamp receive_time = 0;
  NtpTimestamp transmit_time = 0;
};

inline constexpr std::size_t kNtpPacketBytes = 48;

// A client-mode request (leap 0, the given version, precision 0x20 as upstream) whose
// transmit timestamp is `nonce`: a random value the reply must echo as its origin
// (RFC 5905 section 15 advises it against off-path spoofing; upstream does the same).
std::array<std::uint8_t, kNtpPacketBytes> BuildNtpRequest(int version, NtpTimestamp nonce);

// The header of a reply; anything after its first 48 bytes (extension fields, a MAC)
// is ignored. nullopt, and one parse error counted, when it is shorter.
std::optional<NtpPacket> ParseNtpPacket(std::string_view bytes, std::uint64_t* parse_errors);

// Why a parsed reply cannot be used for this request, or "" (upstream's checks, in its
// order): not server mode, a zero transmit time, an origin that is not our nonce, a
// receive time after the transmit time.
std::string NtpReplyProblem(const NtpPacket& reply, NtpTimestamp nonce);

// Conversions with upstream's rounding (to the nearest nanosecond).
std::int64_t NtpToNanos(NtpTimestamp t);          // as a duration
std::int64_t NtpShortToNanos(std::uint32_t t);    // 16.16 format
NtpTimestamp UnixNanosToNtp(std::int64_t unix_ns);
// RFC 5905 eras: values below 1970's timestamp are taken as era 1 (from 2036-02-07).
std::int64_t NtpToUnixNanos(NtpTimestamp t);
// A duration in nanoseconds as Go's Duration.Seconds() gives it.
double NanosToSeconds(std::int64_t ns);

// What one exchange yields, in nanoseconds. org and dst are the client's send and
// receive times (T1, T4), the reply holds T2 (receive) and T3 (transmit).
struct NtpResponse {
  int stratum = 0;
  int leap = 0;
  std::int64_t offset_ns = 0;  // ((T2 - T1) + (T3 - T4)) / 2
  std::int64_t rtt_ns = 0;     // (T4 - T1) - (T3 - T2), at least 0
  std::int64_t min_error_ns = 0;
  std::int64_t root_delay_ns = 0;
  std::int64_t root_dispersion_ns = 0;
  std::int64_t root_distance_ns = 0;  // (rtt + root delay) / 2 + root dispersion
  std::int64_t time_unix_ns = 0;      // the server's transmit time
  std::int64_t reference_unix_ns = 0;
};
NtpResponse EvaluateNtp(const NtpPacket& reply, NtpTimestamp org, NtpTimestamp dst);

// RFC 5905's packet sanity tests as upstream applies them: stratum 1..15, a reference
// time at most 2^17 s old and not in the future, root delay / 2 + dispersion at most
// 16 s, leap indicator not 3 (unsynchronized).
bool NtpReplyValid(const NtpResponse& r);

// node_ntp_sanity: valid, root distance within max_distance, and the error bound
// within tolerance (plus 1 s within a day of a leap second, for leap smearing).
// *leap_midnight_unix_ns keeps the midnight of the last announced leap second
// across scrapes (the announcement stops right after it).
bool NtpSane(const NtpResponse& r, std::chrono::nanoseconds max_distance, std::chrono::nanoseconds tolerance,
             std::optional<std::int64_t>* leap_midnight_unix_ns);

CollectorSpec NtpCollectorSpec();

}  // namespace hostwatch
