// The pure half of the ntp collector (ntp.h): the 48-byte packet and RFC 5905's arithmetic.
#include <cstring>

#include "collectors/host/ntp.h"

namespace hostwatch {
namespace {

constexpr std::uint64_t kNanosPerSecond = 1000000000;
constexpr int kModeClient = 3;
constexpr int kModeServer = 4;
// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
constexpr std::int64_t kNtpToUnixSeconds = 2208988800;
// 1970-01-01 as an era-0 timestamp: anything below is read as era 1 (RFC 5905 section 6).
constexpr NtpTimestamp kUnixEpochNtp = 0x83aa7e8000000000ULL;
// Era 1 starts at 2036-02-07T06:28:16Z.
constexpr std::int64_t kEra1UnixSeconds = 2085978496;
constexpr std::int64_t kMaxPollNs = (std::int64_t{1} << 17) * 1000000000;  // 36 h: older is stale
constexpr std::int64_t kMaxDispersionNs = 16 * std::int64_t{1000000000};
constexpr std::int64_t kDayNs = 86400 * std::int64_t{1000000000};
constexpr int kMaxStratum = 16;
constexpr int kLeapAddSecond = 1;
constexpr int kLeapDelSecond = 2;
constexpr int kLeapNotInSync = 3;

void PutBigEndian(std::uint8_t* out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
}

std::uint64_t GetBigEndian(const unsigned char* in, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | in[i];
  }
  return v;
}

// Differences of timestamps are taken modulo 2^64 and read as signed, as upstream does,
// so an exchange across an era boundary still gives the right small difference.
std::int64_t SignedDiff(NtpTimestamp a, NtpTimestamp b) { return static_cast<std::int64_t>(a - b); }

}  // namespace

std::array<std::uint8_t, kNtpPacketBytes> BuildNtpRequest(int version, NtpTimestamp nonce) {
  std::array<std::uint8_t, kNtpPacketBytes> p{};
  p[0] = static_cast<std::uint8_t>(((version & 0x7) << 3) | kModeClient);  // leap 0
  p[3] = 0x20;                                                              // precision, as upstream
  PutBigEndian(&p[40], nonce, 8);
  return p;
}

std::optional<NtpPacket> ParseNtpPacket(std::string_view bytes, std::uint64_t* parse_errors) {
  if (bytes.size() < kNtpPacketBytes) {
    ++*parse_errors;
    return std::nullopt;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  NtpPacket p;
  p.leap = b[0] >> 6;
  p.version = (b[0] >> 3) & 0x7;
  p.mode = b[0] & 0x7;
  p.stratum = b[1];
  p.poll = static_cast<std::int8_t>(b[2]);
  p.precision = static_cast<std::int8_t>(b[3]);
  p.root_delay = static_cast<std::uint32_t>(GetBigEndian(b + 4, 4));
  p.root_dispersion = static_cast<std::uint32_t>(GetBigEndian(b + 8, 4));
  p.reference_id = static_cast<std::uint32_t>(GetBigEndian(b + 12, 4));
  p.reference_time = GetBigEndian(b + 16, 8);
  p.origin_time = GetBigEndian(b + 24, 8);
  p.receive_time = GetBigEndian(b + 32, 8);
  p.transmit_time = GetBigEndian(b + 40, 8);
  return p;
}

std::string NtpReplyProblem(const NtpPacket& reply, NtpTimestamp nonce) {
  if (reply.mode != kModeServer) {
    return "invalid mode in response";
  }
  if (reply.transmit_time == 0) {
    return "invalid transmit time in response";
  }
  if (reply.origin_time != nonce) {
    return "server response didn't match request";
  }
  if (reply.receive_time > reply.transmit_time) {
    return "server clock ticked backwards";
  }
  return "";
}

std::int64_t NtpToNanos(NtpTimestamp t) {
  const std::uint64_t sec = (t >> 32) * kNanosPerSecond;
  const std::uint64_t frac = (t & 0xffffffffULL) * kNanosPerSecond;
  std::uint64_t nsec = frac >> 32;
  if (static_cast<std::uint32_t>(frac) >= 0x80000000U) {
    ++nsec;  // round half up, as upstream
  }
  return static_cast<std::int64_t>(sec + nsec);
}

std::int64_t NtpShortToNanos(std::uint32_t t) {
  const std::uint64_t sec = std::uint64_t{t >> 16} * kNanosPerSecond;
  const std::uint64_t frac = std::uint64_t{t & 0xffffU} * kNanosPerSecond;
  std::uint64_t nsec = frac >> 16;
  if (static_cast<std::uint16_t>(frac) >= 0x8000U) {
    ++nsec;
  }
  return static_cast<std::int64_t>(sec + nsec);
}

NtpTimestamp UnixNanosToNtp(std::int64_t unix_ns) {
  const auto nsec = static_cast<std::uint64_t>(unix_ns + kNtpToUnixSeconds * std::int64_t{1000000000});
  const std::uint64_t sec = nsec / kNanosPerSecond;
  const std::uint64_t rest = (nsec - sec * kNanosPerSecond) << 32;
  std::uint64_t frac = rest / kNanosPerSecond;
  if (rest % kNanosPerSecond >= kNanosPerSecond / 2) {
    ++frac;
  }
  return (sec << 32) | frac;
}

std::int64_t NtpToUnixNanos(NtpTimestamp t) {
  if (t < kUnixEpochNtp) {
    return kEra1UnixSeconds * std::int64_t{1000000000} + NtpToNanos(t);
  }
  return NtpToNanos(t) - kNtpToUnixSeconds * std::int64_t{1000000000};
}

double NanosToSeconds(std::int64_t ns) {
  const std::int64_t sec = ns / 1000000000;
  const std::int64_t rest = ns % 1000000000;
  return static_cast<double>(sec) + static_cast<double>(rest) / 1e9;
}

NtpResponse EvaluateNtp(const NtpPacket& reply, NtpTimestamp org, NtpTimestamp dst) {
  const NtpTimestamp rec = reply.receive_time;
  const NtpTimestamp xmt = reply.transmit_time;
  NtpResponse r;
  r.stratum = reply.stratum;
  r.leap = reply.leap;
  // offset = a + (b - a) / 2 with a = T2 - T1, b = T3 - T4, in wrapping 64-bit fixed point.
  const std::int64_t a = SignedDiff(rec, org);
  const std::int64_t b = SignedDiff(xmt, dst);
  const std::int64_t half = static_cast<std::int64_t>(static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a)) / 2;
  const auto offset = static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(half));
  r.offset_ns = offset < 0 ? -NtpToNanos(static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(offset))
                           : NtpToNanos(static_cast<std::uint64_t>(offset));
  const auto rtt = static_cast<std::int64_t>(static_cast<std::uint64_t>(SignedDiff(dst, org)) -
                                             static_cast<std::uint64_t>(SignedDiff(xmt, rec)));
  r.rtt_ns = rtt < 0 ? 0 : NtpToNanos(static_cast<std::uint64_t>(rtt));
  const NtpTimestamp error0 = org >= rec ? org - rec : 0;
  const NtpTimestamp error1 = xmt >= dst ? xmt - dst : 0;
  r.min_error_ns = NtpToNanos(error0 > error1 ? error0 : error1);
  r.root_delay_ns = NtpShortToNanos(reply.root_delay);
  r.root_dispersion_ns = NtpShortToNanos(reply.root_dispersion);
  r.root_distance_ns = (r.rtt_ns + r.root_delay_ns) / 2 + r.root_dispersion_ns;
  r.time_unix_ns = NtpToUnixNanos(xmt);
  r.reference_unix_ns = NtpToUnixNanos(reply.reference_time);
  return r;
}

bool NtpReplyValid(const NtpResponse& r) {
  if (r.stratum == 0 || r.stratum >= kMaxStratum) {
    return false;  // kiss-o'-death or unsynchronized
  }
  if (r.time_unix_ns - r.reference_unix_ns > kMaxPollNs) {
    return false;  // the server's clock has not been set for too long
  }
  if (r.root_delay_ns / 2 + r.root_dispersion_ns > kMaxDispersionNs) {
    return false;
  }
  if (r.time_unix_ns < r.reference_unix_ns) {
    return false;
  }
  return r.leap != kLeapNotInSync;
}

bool NtpSane(const NtpResponse& r, std::chrono::nanoseconds max_distance, std::chrono::nanoseconds tolerance,
             std::optional<std::int64_t>* leap_midnight_unix_ns) {
  std::int64_t max_error = tolerance.count();
  if (r.leap == kLeapAddSecond || r.leap == kLeapDelSecond) {
    // The midnight after the server's time (UTC days are whole multiples of 86400 s).
    std::int64_t day_start = r.time_unix_ns / kDayNs * kDayNs;
    if (day_start > r.time_unix_ns) {
      day_start -= kDayNs;
    }
    *leap_midnight_unix_ns = day_start + kDayNs;
  }
  if (leap_midnight_unix_ns->has_value()) {
    const std::int64_t midnight = **leap_midnight_unix_ns;
    if (midnight - kDayNs < r.time_unix_ns && r.time_unix_ns < midnight + kDayNs) {
      max_error += 1000000000;  // tolerate leap smearing
    }
  }
  return NtpReplyValid(r) && r.root_distance_ns <= max_distance.count() && r.min_error_ns <= max_error;
}

}  // namespace hostwatch
