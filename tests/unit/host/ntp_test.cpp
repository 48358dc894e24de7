#include "collectors/host/ntp.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Seconds as an NTP timestamp; fractions that are sums of powers of two are exact.
NtpTimestamp Ntp(double seconds) { return static_cast<NtpTimestamp>(seconds * 4294967296.0); }

std::string Bytes(const std::array<std::uint8_t, kNtpPacketBytes>& a) { return std::string(a.begin(), a.end()); }

// A server reply as bytes (RFC 5905 figure 8), built independently of the code under test.
std::string ServerReply(int leap, int stratum, std::uint32_t root_delay, std::uint32_t root_dispersion,
                        NtpTimestamp ref, NtpTimestamp org, NtpTimestamp rec, NtpTimestamp xmt) {
  std::string b(kNtpPacketBytes, '\0');
  b[0] = static_cast<char>((leap << 6) | (4 << 3) | 4);
  b[1] = static_cast<char>(stratum);
  b[2] = 6;
  b[3] = static_cast<char>(-20);
  auto put = [&b](std::size_t at, std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i, v >>= 8) {
      b[at + i] = static_cast<char>(v & 0xff);
    }
  };
  put(4, root_delay, 4);
  put(8, root_dispersion, 4);
  put(12, 0x7f000001, 4);
  put(16, ref, 8);
  put(24, org, 8);
  put(32, rec, 8);
  put(40, xmt, 8);
  return b;
}

TEST(NtpPacketTest, RequestIsAClientHeaderCarryingTheNonce) {
  const auto p = BuildNtpRequest(4, 0x0102030405060708ULL);
  EXPECT_EQ(p[0], 0x23);  // LI 0, VN 4, mode 3
  EXPECT_EQ(p[3], 0x20);
  EXPECT_EQ(p[40], 0x01);
  EXPECT_EQ(p[47], 0x08);
  EXPECT_EQ(BuildNtpRequest(3, 0)[0], 0x1b);  // VN 3
  std::uint64_t errors = 0;
  std::optional<NtpPacket> parsed = ParseNtpPacket(Bytes(p), &errors);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->mode, 3);
  EXPECT_EQ(parsed->version, 4);
  EXPECT_EQ(parsed->transmit_time, 0x0102030405060708ULL);
}

TEST(NtpPacketTest, ParseReadsEveryFieldAndIgnoresExtensions) {
  std::uint64_t errors = 0;
  std::string reply = ServerReply(1, 2, 0x00018000, 0x00004000, Ntp(100), Ntp(200), Ntp(300), Ntp(400));
  std::optional<NtpPacket> p = ParseNtpPacket(reply + std::string(20, 'x'), &errors);
  ASSERT_TRUE(p);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(p->leap, 1);
  EXPECT_EQ(p->version, 4);
  EXPECT_EQ(p->mode, 4);
  EXPECT_EQ(p->stratum, 2);
  EXPECT_EQ(p->poll, 6);
  EXPECT_EQ(p->precision, -20);
  EXPECT_EQ(p->root_delay, 0x00018000u);
  EXPECT_EQ(p->root_dispersion, 0x00004000u);
  EXPECT_EQ(p->reference_id, 0x7f000001u);
  EXPECT_EQ(p->reference_time, Ntp(100));
  EXPECT_EQ(p->origin_time, Ntp(200));
  EXPECT_EQ(p->receive_time, Ntp(300));
  EXPECT_EQ(p->transmit_time, Ntp(400));
  EXPECT_FALSE(ParseNtpPacket(reply.substr(0, 47), &errors));
  EXPECT_EQ(errors, 1u);
}

TEST(NtpPacketTest, RepliesThatDoNotAnswerTheRequestAreNamed) {
  std::uint64_t errors = 0;
  const NtpTimestamp nonce = 0xdeadbeef12345678ULL;
  auto problem = [&](const std::string& bytes) { return NtpReplyProblem(*ParseNtpPacket(bytes, &errors), nonce); };
  EXPECT_EQ(problem(ServerReply(0, 2, 0, 0, 1, nonce, Ntp(5), Ntp(6))), "");
  std::string client_mode = ServerReply(0, 2, 0, 0, 1, nonce, Ntp(5), Ntp(6));
  client_mode[0] = 0x23;
  EXPECT_EQ(problem(client_mode), "invalid mode in response");
  EXPECT_EQ(problem(ServerReply(0, 2, 0, 0, 1, nonce, 0, 0)), "invalid transmit time in response");
  EXPECT_EQ(problem(ServerReply(0, 2, 0, 0, 1, nonce + 1, Ntp(5), Ntp(6))), "server response didn't match request");
  EXPECT_EQ(problem(ServerReply(0, 2, 0, 0, 1, nonce, Ntp(7), Ntp(6))), "server clock ticked backwards");
}

TEST(NtpTimeTest, ConversionsRoundToTheNearestNanosecondAndKnowTheEras) {
  EXPECT_EQ(NtpToNanos(Ntp(1.5)), 1500000000);
  EXPECT_EQ(NtpToNanos(1), 0);  // 2^-32 s = 0.23 ns
  EXPECT_EQ(NtpToNanos(3), 1);  // 0.70 ns rounds up
  EXPECT_EQ(NtpShortToNanos(0x00018000), 1500000000);
  EXPECT_EQ(UnixNanosToNtp(0), NtpTimestamp{2208988800} << 32);
  EXPECT_EQ(NtpToUnixNanos(NtpTimestamp{2208988800} << 32), 0);
  // 2026-12-07T00:00:00.25Z and back.
  const std::int64_t t = 1796601600LL * 1000000000 + 250000000;
  EXPECT_EQ(NtpToUnixNanos(UnixNanosToNtp(t)), t);
  // RFC 5905 section 6: a timestamp below 1970's is in era 1, which starts 2036-02-07T06:28:16Z.
  EXPECT_EQ(NtpToUnixNanos(0), 2085978496LL * 1000000000);
  EXPECT_EQ(NtpToUnixNanos(Ntp(10)), 2085978506LL * 1000000000);
  EXPECT_EQ(NanosToSeconds(-1500000000), -1.5);
}

// RFC 5905 section 8: offset = ((T2 - T1) + (T3 - T4)) / 2, delay = (T4 - T1) - (T3 - T2). A
// server 0.25 s ahead, 1/64 s each way, 1/128 s between its receive and its transmit.
TEST(NtpMathTest, OffsetDelayAndRootDistanceFollowRfc5905) {
  const double t1 = 3900000000.0;
  const double t2 = t1 + 1.0 / 64 + 0.25;
  const double t3 = t2 + 1.0 / 128;
  const double t4 = t1 + 2.0 / 64 + 1.0 / 128;
  std::uint64_t errors = 0;
  NtpPacket reply = *ParseNtpPacket(
      ServerReply(0, 3, 0x00008000, 0x00004000, Ntp(t3 - 64), Ntp(t1), Ntp(t2), Ntp(t3)), &errors);
  NtpResponse r = EvaluateNtp(reply, Ntp(t1), Ntp(t4));
  EXPECT_EQ(r.stratum, 3);
  EXPECT_EQ(r.offset_ns, 250000000);
  EXPECT_EQ(r.rtt_ns, 31250000);                       // 2/64 s
  EXPECT_EQ(r.root_delay_ns, 500000000);               // 0x8000 in 16.16
  EXPECT_EQ(r.root_dispersion_ns, 250000000);
  EXPECT_EQ(r.root_distance_ns, 515625000);            // (0.03125 + 0.5) / 2 + 0.25
  EXPECT_EQ(r.min_error_ns, 234375000);                // T3 - T4: the offset's lower bound
  EXPECT_EQ(r.reference_unix_ns, r.time_unix_ns - 64LL * 1000000000);
  EXPECT_TRUE(NtpReplyValid(r));
  std::optional<std::int64_t> leap;
  EXPECT_FALSE(NtpSane(r, milliseconds(3466), milliseconds(1), &leap));   // 0.23 s off
  EXPECT_TRUE(NtpSane(r, milliseconds(3466), milliseconds(250), &leap));  // within a 0.25 s tolerance
  EXPECT_FALSE(NtpSane(r, milliseconds(500), milliseconds(250), &leap));  // root distance 0.516 s
}

TEST(NtpMathTest, ServerBehindGivesANegativeOffsetAndRttIsNeverNegative) {
  const double t1 = 3900000000.0;
  const double t2 = t1 + 1.0 / 64 - 1.5;
  const double t3 = t2 + 1.0 / 128;
  const double t4 = t1 + 2.0 / 64 + 1.0 / 128;
  std::uint64_t errors = 0;
  NtpPacket reply = *ParseNtpPacket(ServerReply(0, 2, 0, 0, Ntp(t3), Ntp(t1), Ntp(t2), Ntp(t3)), &errors);
  NtpResponse r = EvaluateNtp(reply, Ntp(t1), Ntp(t4));
  EXPECT_EQ(r.offset_ns, -1500000000);
  EXPECT_EQ(r.min_error_ns, 1500000000 - 15625000);  // T1 - T2
  // A server that claims to have held the request longer than the round trip: delay 0, not negative.
  reply.transmit_time = Ntp(t2 + 1);
  EXPECT_EQ(EvaluateNtp(reply, Ntp(t1), Ntp(t4)).rtt_ns, 0);
}

TEST(NtpMathTest, ValidityFollowsTheRfcPacketTests) {
  NtpResponse good;
  good.stratum = 2;
  good.time_unix_ns = 1796601600LL * 1000000000;
  good.reference_unix_ns = good.time_unix_ns - 1000000000;
  EXPECT_TRUE(NtpReplyValid(good));
  NtpResponse r = good;
  r.stratum = 0;  // kiss-o'-death
  EXPECT_FALSE(NtpReplyValid(r));
  r = good;
  r.stratum = 16;
  EXPECT_FALSE(NtpReplyValid(r));
  r = good;
  r.leap = 3;  // not synchronized
  EXPECT_FALSE(NtpReplyValid(r));
  r = good;
  r.reference_unix_ns = good.time_unix_ns - (131072LL + 1) * 1000000000;  // older than 2^17 s
  EXPECT_FALSE(NtpReplyValid(r));
  r = good;
  r.reference_unix_ns = good.time_unix_ns + 1;  // set in the future
  EXPECT_FALSE(NtpReplyValid(r));
  r = good;
  r.root_dispersion_ns = 16LL * 1000000000 + 1;
  EXPECT_FALSE(NtpReplyValid(r));
}

// Within a day of an announced leap second the tolerance grows by 1 s (leap smearing), and the
// announcement is remembered after the server stops sending it.
TEST(NtpMathTest, LeapSecondWidensTheToleranceForADay) {
  NtpResponse r;
  r.stratum = 2;
  r.time_unix_ns = 1796601600LL * 1000000000 + 3600LL * 1000000000;  // 01:00 UTC
  r.reference_unix_ns = r.time_unix_ns;
  r.min_error_ns = 500000000;
  std::optional<std::int64_t> leap;
  EXPECT_FALSE(NtpSane(r, milliseconds(3466), milliseconds(1), &leap));
  r.leap = 1;
  EXPECT_TRUE(NtpSane(r, milliseconds(3466), milliseconds(1), &leap));
  ASSERT_TRUE(leap);
  EXPECT_EQ(*leap, (1796601600LL + 86400) * 1000000000);
  r.leap = 0;
  EXPECT_TRUE(NtpSane(r, milliseconds(3466), milliseconds(1), &leap));
  r.time_unix_ns += 3 * 86400LL * 1000000000;
  r.reference_unix_ns = r.time_unix_ns;
  EXPECT_FALSE(NtpSane(r, milliseconds(3466), milliseconds(1), &leap));
}

CollectorOptions NtpOptions(const std::string& server, const std::string& port) {
  CollectorOptions options = DefaultCollectorOptions();
  EXPECT_TRUE(options.Set("ntp", "server", server).ok());
  EXPECT_TRUE(options.Set("ntp", "server-port", port).ok());
  return options;
}

TEST(NtpCollectorTest, SettingsAreCheckedAsUpstreamChecksThem) {
  ProcFs fs = testing::FixtureFs({});
  auto made = [&](const CollectorOptions& o) { return FindCollector("ntp")->make(CollectorContext{fs, o}); };
  EXPECT_TRUE(made(NtpOptions("127.0.0.1", "123")).ok());
  EXPECT_TRUE(made(NtpOptions("::1", "123")).ok());
  Result<CollectorPtr> public_server = made(NtpOptions("192.0.2.1", "123"));
  ASSERT_FALSE(public_server.ok());
  EXPECT_EQ(public_server.status().message(),
            "only IP address of local NTP server is valid for --collector.ntp.server");
  CollectorOptions local = NtpOptions("ntp.example.org", "123");
  ASSERT_TRUE(local.Set("ntp", "server-is-local", "true").ok());
  EXPECT_TRUE(made(local).ok());
  EXPECT_FALSE(made(NtpOptions("127.0.0.1", "0")).ok());
  EXPECT_FALSE(made(NtpOptions("127.0.0.1", "65536")).ok());
  CollectorOptions v5 = NtpOptions("127.0.0.1", "123");
  ASSERT_TRUE(v5.Set("ntp", "protocol-version", "5").ok());
  EXPECT_EQ(made(v5).status().message(), "invalid NTP protocol version 5; must be 2, 3, or 4");
}

// A UDP port with nothing behind it answers with ICMP port unreachable: no NTP server runs
// here, which is "no data", not a failure.
TEST(NtpCollectorTest, NoServerIsNoData) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);  // the port is now closed
  testing::CollectorRun run =
      testing::RunCollectorOnce("ntp", testing::FixtureFs({}), NtpOptions("127.0.0.1", std::to_string(ntohs(a.sin_port))));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
