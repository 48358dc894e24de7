// libFuzzer target: ParseNtpPacket and the arithmetic on what it parsed (an NTP server's reply
// is untrusted input) must not crash, hang, leak or trip a sanitizer (signed overflow included).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/ntp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  std::optional<hostwatch::NtpPacket> p = hostwatch::ParseNtpPacket(bytes, &parse_errors);
  if (p) {
    hostwatch::NtpReplyProblem(*p, p->origin_time);
    // T1 and T4 from the input's reference time, so the fuzzer drives every difference.
    hostwatch::NtpResponse r = hostwatch::EvaluateNtp(*p, p->reference_time, p->reference_time + p->root_delay);
    std::optional<std::int64_t> leap;
    hostwatch::NtpSane(r, std::chrono::milliseconds(3466), std::chrono::milliseconds(1), &leap);
  }
  return 0;
}
