// libFuzzer target: the icmp prober's reader of whatever arrives on its ICMP
// socket. Input = one packet as a raw IPv4 socket, a datagram socket or an
// ICMPv6 socket hands it over (a raw socket sees every ICMP packet the host
// gets, so any sender on the network chooses these bytes). Each input goes
// through ParseEchoReply in all three framings and, when it parses, through
// AnswersRun with and without a known id. Must not crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/checks/icmp/echo_packet.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A copy of exactly size bytes, so that AddressSanitizer sees any read past the end.
  const std::string packet(reinterpret_cast<const char*>(data), size);
  const std::string payload = hostwatch::EchoPayload(0);
  const bool framings[][2] = {{false, true}, {false, false}, {true, false}};  // {ipv6, ip_header}
  for (const auto& f : framings) {
    if (auto reply = hostwatch::ParseEchoReply(packet, f[0], f[1])) {
      volatile bool ours = hostwatch::AnswersRun(*reply, reply->id, payload) ||
                           hostwatch::AnswersRun(*reply, std::nullopt, reply->payload);
      (void)ours;
      volatile std::size_t n = reply->payload.size() + static_cast<std::size_t>(reply->ip_ttl + 1);
      (void)n;
    }
  }
  (void)hostwatch::InternetChecksum(packet);
  return 0;
}
