#include "collectors/checks/icmp/icmp_probe.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collectors/checks/check_metrics.h"
#include "collectors/checks/socket_runner.h"
#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

using Clock = SocketRun::Clock;
using std::chrono::milliseconds;

// Drives one run the way the scheduler does: poll its descriptor until its wait's deadline.
ProbeResult RunToEnd(std::unique_ptr<SocketRun> run) {
  SocketRunner runner;
  if (auto done = runner.Add({"m", "t"}, "", std::move(run), Clock::now())) {
    return std::move(done->result);
  }
  for (;;) {
    Clock::time_point deadline;
    std::vector<pollfd> fds = runner.Waits(&deadline);
    const auto wait = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait, 0) + 1));
    std::vector<SocketRunner::Finished> done = runner.Advance(fds, Clock::now());
    if (!done.empty()) {
      return std::move(done[0].result);
    }
  }
}

bool CanOpenIcmpSocket() {
  for (int type : {SOCK_DGRAM, SOCK_RAW}) {
    const int fd = socket(AF_INET, type, IPPROTO_ICMP);
    if (fd >= 0) {
      close(fd);
      return true;
    }
  }
  return false;
}

TEST(IcmpProbeTest, LoopbackAnswersEveryEcho) {
  if (!CanOpenIcmpSocket()) {
    GTEST_SKIP() << "neither ping_group_range nor CAP_NET_RAW allows an ICMP socket here";
  }
  auto module = std::make_shared<IcmpModule>();
  module->preferred_ip_protocol = "ip4";
  module->packets = 3;
  module->packet_interval = milliseconds(20);
  const ProbeResult r = RunToEnd(StartIcmpRun(module, "127.0.0.1", milliseconds(2000), Clock::now()));
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.prober, ProberKind::kIcmp);
  EXPECT_EQ(r.ip_protocol, 4);
  EXPECT_EQ(r.icmp.sent, 3);
  EXPECT_EQ(r.icmp.received, 3);
  EXPECT_EQ(r.icmp.rtts.size(), 3u);
  EXPECT_EQ(r.icmp.reply_hop_limit, 64);  // the kernel answers loopback echoes with the default TTL
  EXPECT_GT(r.icmp.rtt_seconds, 0);
}

TEST(IcmpProbeTest, UnresolvableTargetFailsWithDns) {
  auto module = std::make_shared<IcmpModule>();
  const ProbeResult r = RunToEnd(StartIcmpRun(module, "no-such-host.invalid", milliseconds(2000), Clock::now()));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.reason, FailureReason::kDns);
}

ProbeResult IcmpResult(int packets, std::vector<double> rtts, bool success) {
  ProbeResult r;
  r.prober = ProberKind::kIcmp;
  r.success = success;
  r.icmp.packets = packets;
  r.icmp.sent = packets;
  r.icmp.received = static_cast<int>(rtts.size());
  r.icmp.rtts = std::move(rtts);
  r.icmp.reply_hop_limit = success ? 64 : -1;
  return r;
}

std::vector<std::string> FamilyNames(const ProbeResult& r) {
  static const CheckDescs kDescs({});
  MetricSink sink;
  AddResultSeries(r, kDescs, {}, sink);
  std::vector<std::string> names;
  for (const auto& f : sink.TakeFamilies()) {
    names.push_back(f.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// blackbox 0.28's families for one echo: chooseProtocol's three, the phases, the handler's two, and
// the hop limit only once a reply came.
TEST(IcmpProbeTest, OneEchoShowsExactlyBlackboxsFamilies) {
  const std::vector<std::string> failed = {"probe_dns_lookup_time_seconds",
                                           "probe_duration_seconds",
                                           "probe_icmp_duration_seconds",
                                           "probe_ip_addr_hash",
                                           "probe_ip_protocol",
                                           "probe_success"};
  EXPECT_EQ(FamilyNames(IcmpResult(1, {}, false)), failed);
  std::vector<std::string> ok = failed;
  ok.insert(ok.begin() + 3, "probe_icmp_reply_hop_limit");
  EXPECT_EQ(FamilyNames(IcmpResult(1, {0.001}, true)), ok);
}

TEST(IcmpProbeTest, SeveralEchoesAddCountsLossAndSpread) {
  const std::string text = RenderProbeText(IcmpResult(4, {0.001, 0.003}, true));
  EXPECT_NE(text.find("probe_icmp_packets_sent 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("probe_icmp_packets_received 2\n"), std::string::npos);
  EXPECT_NE(text.find("probe_icmp_packet_loss_ratio 0.5\n"), std::string::npos);
  EXPECT_NE(text.find("probe_icmp_rtt_seconds{stat=\"min\"} 0.001\n"), std::string::npos);
  EXPECT_NE(text.find("probe_icmp_rtt_seconds{stat=\"avg\"} 0.002\n"), std::string::npos);
  EXPECT_NE(text.find("probe_icmp_rtt_seconds{stat=\"max\"} 0.003\n"), std::string::npos);
  EXPECT_NE(text.find("probe_icmp_rtt_seconds{stat=\"stddev\"} 0.001\n"), std::string::npos);
  // No reply: loss 1, no spread.
  const std::string lost = RenderProbeText(IcmpResult(4, {}, false));
  EXPECT_NE(lost.find("probe_icmp_packet_loss_ratio 1\n"), std::string::npos) << lost;
  EXPECT_EQ(lost.find("probe_icmp_rtt_seconds"), std::string::npos);
}

TEST(IcmpProbeTest, RunHistoryAccumulatesEveryRoundTripInTheLatencyBuckets) {
  RunHistory h({0.001, 0.01});
  h.Record(IcmpResult(3, {0.0005, 0.002, 0.02}, true), 5);
  h.Record(IcmpResult(2, {0.0007}, true), 5);
  const BucketHistogram& rtt = h.rtt_histogram();
  EXPECT_EQ(rtt.count(), 4u);
  EXPECT_EQ(rtt.counts(), (std::vector<std::uint64_t>{2, 1, 1}));
  EXPECT_DOUBLE_EQ(rtt.sum(), 0.0232);
  EXPECT_EQ(h.runs(), 2u);  // runs are counted once each, whatever their echoes
}

}  // namespace
}  // namespace hostwatch
