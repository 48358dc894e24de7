#include "collectors/checks/icmp/echo_packet.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

using namespace std::string_literals;

// A reply is the request with the type changed (and the checksum with it).
std::string ReplyTo(std::string request, bool ipv6) {
  request[0] = static_cast<char>(ipv6 ? 129 : 0);
  return request;
}

std::string Ipv4Header(std::uint8_t ttl, std::uint8_t protocol = 1, std::uint8_t ihl = 5) {
  std::string h(ihl * 4u, '\0');
  h[0] = static_cast<char>(0x40 | ihl);
  h[8] = static_cast<char>(ttl);
  h[9] = static_cast<char>(protocol);
  return h;
}

TEST(EchoPacketTest, PayloadIsBlackboxTextCutOrPadded) {
  EXPECT_EQ(EchoPayload(0), "Prometheus Blackbox Exporter");
  EXPECT_EQ(EchoPayload(10), "Prometheus");
  EXPECT_EQ(EchoPayload(30), "Prometheus Blackbox Exporter\0\0"s);
}

TEST(EchoPacketTest, Ipv4RequestCarriesIdSequenceAndAValidChecksum) {
  const std::string p = BuildEchoRequest(false, 0x1234, 0xabcd, "hi");
  ASSERT_EQ(p.size(), 10u);
  EXPECT_EQ(p[0], 8);
  EXPECT_EQ(p[1], 0);
  EXPECT_EQ(p.substr(4, 4), "\x12\x34\xab\xcd"s);
  EXPECT_EQ(p.substr(8), "hi");
  EXPECT_EQ(InternetChecksum(p), 0);  // a message with its checksum sums to 0
}

TEST(EchoPacketTest, Ipv6RequestLeavesTheChecksumToTheKernel) {
  const std::string p = BuildEchoRequest(true, 1, 2, "x");
  EXPECT_EQ(static_cast<std::uint8_t>(p[0]), 128);
  EXPECT_EQ(p.substr(2, 2), "\0\0"s);
}

TEST(EchoPacketTest, ChecksumOfOddLengthAsRfc1071) {
  EXPECT_EQ(InternetChecksum("\x00\x01\xf2\x03\xf4\xf5\xf6\xf7"s), static_cast<std::uint16_t>(~0xddf2 & 0xffff));
  EXPECT_EQ(InternetChecksum("\x01"s), static_cast<std::uint16_t>(~0x0100 & 0xffff));
}

TEST(EchoPacketTest, ParsesRepliesOfEachSocketKind) {
  const std::string v4 = ReplyTo(BuildEchoRequest(false, 7, 9, "data"), false);
  auto datagram = ParseEchoReply(v4, false, false);
  ASSERT_TRUE(datagram);
  EXPECT_EQ(datagram->id, 7);
  EXPECT_EQ(datagram->seq, 9);
  EXPECT_EQ(datagram->payload, "data");
  EXPECT_EQ(datagram->ip_ttl, -1);

  // A reply's payload points into its packet: each packet outlives what is parsed from it.
  const std::string raw_packet = Ipv4Header(63) + v4;
  auto raw = ParseEchoReply(raw_packet, false, true);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->seq, 9);
  EXPECT_EQ(raw->ip_ttl, 63);
  const std::string options_packet = Ipv4Header(5, 1, 6) + v4;
  auto with_options = ParseEchoReply(options_packet, false, true);
  ASSERT_TRUE(with_options);
  EXPECT_EQ(with_options->payload, "data");

  const std::string v6_packet = ReplyTo(BuildEchoRequest(true, 3, 4, "six"), true);
  auto v6 = ParseEchoReply(v6_packet, true, false);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->id, 3);
  EXPECT_EQ(v6->payload, "six");
}

TEST(EchoPacketTest, RefusesWhatIsNotAnEchoReply) {
  const std::string request = BuildEchoRequest(false, 7, 9, "data");
  const std::string reply = ReplyTo(request, false);
  std::string bad_code = reply;
  bad_code[1] = 1;
  const std::string unreachable = "\x03\x01\0\0\0\0\0\0"s + Ipv4Header(64) + request;
  const std::vector<std::pair<std::string, bool>> cases = {
      {request, false},                                   // our own request, looped back to a raw socket
      {bad_code, false},                                  // code must be 0
      {unreachable, false},                               // an ICMP error quoting our request
      {reply.substr(0, 7), false},                        // shorter than the echo header
      {"", true},                                         // nothing at all, raw IPv4
      {Ipv4Header(64, 6) + reply, true},                  // not ICMP
      {Ipv4Header(64).substr(0, 19), true},               // truncated IP header
      {"\x65" + Ipv4Header(64).substr(1) + reply, true},  // version 6 in an IPv4 header
      {"\x4f" + reply, true},                             // header length beyond the packet
      {Ipv4Header(64, 1, 4) + reply, true},               // header length under 20
  };
  for (const auto& [packet, ip_header] : cases) {
    EXPECT_FALSE(ParseEchoReply(packet, false, ip_header)) << testing::PrintToString(packet);
  }
  EXPECT_FALSE(ParseEchoReply(reply, true, false));  // an IPv4 reply type read as ICMPv6
}

TEST(EchoPacketTest, MatchesTheRunsIdOnlyWhenItKnowsIt) {
  const std::string packet = ReplyTo(BuildEchoRequest(false, 7, 9, "data"), false);
  const auto reply = *ParseEchoReply(packet, false, false);
  EXPECT_TRUE(AnswersRun(reply, 7, "data"));
  EXPECT_FALSE(AnswersRun(reply, 8, "data"));            // another run's (or ping's) echo on a raw socket
  EXPECT_TRUE(AnswersRun(reply, std::nullopt, "data"));  // datagram socket: the kernel's id
  EXPECT_FALSE(AnswersRun(reply, std::nullopt, "dat"));
  EXPECT_FALSE(AnswersRun(reply, 7, "datA"));
}

}  // namespace
}  // namespace hostwatch
