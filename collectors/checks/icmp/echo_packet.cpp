#include "collectors/checks/icmp/echo_packet.h"

#include <algorithm>

namespace hostwatch {
namespace {

// RFC 792 / RFC 4443 message types.
constexpr std::uint8_t kEchoReplyV4 = 0;
constexpr std::uint8_t kEchoRequestV4 = 8;
constexpr std::uint8_t kEchoRequestV6 = 128;
constexpr std::uint8_t kEchoReplyV6 = 129;
constexpr std::size_t kEchoHeader = 8;  // type, code, checksum, id, sequence
constexpr int kIpProtoIcmp = 1;

constexpr std::string_view kBlackboxText = "Prometheus Blackbox Exporter";

std::uint16_t Be16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[at]) << 8) | static_cast<std::uint8_t>(b[at + 1]));
}

void PutBe16(std::string* b, std::size_t at, std::uint16_t v) {
  (*b)[at] = static_cast<char>(v >> 8);
  (*b)[at + 1] = static_cast<char>(v & 0xff);
}

}  // namespace

std::string EchoPayload(int payload_size) {
  if (payload_size <= 0) {
    return std::string(kBlackboxText);
  }
  std::string data(static_cast<std::size_t>(payload_size), '\0');
  std::copy_n(kBlackboxText.begin(), std::min(data.size(), kBlackboxText.size()), data.begin());
  return data;
}

std::uint16_t InternetChecksum(std::string_view data) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += Be16(data, i);
  }
  if (i < data.size()) {
    sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[i])) << 8;
  }
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::string BuildEchoRequest(bool ipv6, std::uint16_t id, std::uint16_t seq, std::string_view payload) {
  std::string packet(kEchoHeader, '\0');
  packet[0] = static_cast<char>(ipv6 ? kEchoRequestV6 : kEchoRequestV4);
  PutBe16(&packet, 4, id);
  PutBe16(&packet, 6, seq);
  packet.append(payload);
  if (!ipv6) {
    PutBe16(&packet, 2, InternetChecksum(packet));
  }
  return packet;
}

std::optional<EchoReply> ParseEchoReply(std::string_view packet, bool ipv6, bool ip_header) {
  EchoReply reply;
  if (ip_header && !ipv6) {
    if (packet.empty() || (static_cast<std::uint8_t>(packet[0]) >> 4) != 4) {
      return std::nullopt;
    }
    const std::size_t header = static_cast<std::size_t>(static_cast<std::uint8_t>(packet[0]) & 0x0f) * 4;
    if (header < 20 || packet.size() < header || static_cast<std::uint8_t>(packet[9]) != kIpProtoIcmp) {
      return std::nullopt;
    }
    reply.ip_ttl = static_cast<std::uint8_t>(packet[8]);
    packet.remove_prefix(header);
  }
  if (packet.size() < kEchoHeader) {
    return std::nullopt;
  }
  const auto type = static_cast<std::uint8_t>(packet[0]);
  if (type != (ipv6 ? kEchoReplyV6 : kEchoReplyV4) || packet[1] != 0) {
    return std::nullopt;
  }
  reply.id = Be16(packet, 4);
  reply.seq = Be16(packet, 6);
  reply.payload = packet.substr(kEchoHeader);
  return reply;
}

bool AnswersRun(const EchoReply& reply, std::optional<std::uint16_t> id, std::string_view payload) {
  return (!id || reply.id == *id) && reply.payload == payload;
}

}  // namespace hostwatch
