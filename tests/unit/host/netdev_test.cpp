#include "collectors/host/netdev.h"

#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstddef>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

ProcFs NetdevFixture() { return testing::FixtureFs({.procfs = testing::FixturePath("netdev/proc")}); }

// Options reading <procfs>/net/dev instead of rtnetlink.
CollectorOptions ProcOptions() {
  CollectorOptions o = DefaultCollectorOptions();
  EXPECT_TRUE(o.Set("netdev", "netlink", "false").ok());
  return o;
}

// Appends one netlink attribute (header, payload, padding).
void AppendAttr(std::string& msg, unsigned short type, const void* data, std::size_t len) {
  rtattr a{};
  a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  a.rta_type = type;
  msg.append(reinterpret_cast<const char*>(&a), sizeof(a));
  msg.append(static_cast<const char*>(data), len);
  msg.resize(NLMSG_ALIGN(msg.size()), '\0');
}

// One RTM_NEWLINK message as the kernel sends it; stats_len < sizeof models old kernels.
std::string LinkMessage(const std::string& name, const rtnl_link_stats64& stats,
                        std::size_t stats_len = sizeof(rtnl_link_stats64)) {
  std::string body(NLMSG_ALIGN(sizeof(ifinfomsg)), '\0');
  AppendAttr(body, IFLA_IFNAME, name.c_str(), name.size() + 1);
  AppendAttr(body, IFLA_STATS64, &stats, stats_len);
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + body.size());
  h.nlmsg_type = RTM_NEWLINK;
  std::string msg(reinterpret_cast<const char*>(&h), sizeof(h));
  msg.resize(NLMSG_HDRLEN, '\0');
  return msg + body;
}

std::string DoneMessage() {
  nlmsghdr h{};
  h.nlmsg_len = NLMSG_LENGTH(sizeof(int));
  h.nlmsg_type = NLMSG_DONE;
  std::string msg(reinterpret_cast<const char*>(&h), sizeof(h));
  msg.resize(NLMSG_ALIGN(h.nlmsg_len), '\0');
  return msg;
}

TEST(RtnlLinkParserTest, FoldsDetailedErrorsLikeProcNetDev) {
  rtnl_link_stats64 s{};
  s.rx_packets = 1;
  s.tx_packets = 2;
  s.rx_bytes = 3;
  s.tx_bytes = 4;
  s.rx_errors = 5;
  s.tx_errors = 6;
  s.rx_dropped = 7;
  s.tx_dropped = 8;
  s.multicast = 9;
  s.collisions = 10;
  s.rx_length_errors = 100;
  s.rx_over_errors = 200;
  s.rx_crc_errors = 300;
  s.rx_frame_errors = 400;
  s.rx_fifo_errors = 11;
  s.rx_missed_errors = 1000;
  s.tx_aborted_errors = 10000;
  s.tx_carrier_errors = 20000;
  s.tx_fifo_errors = 12;
  s.tx_heartbeat_errors = 30000;
  s.tx_window_errors = 40000;
  s.rx_compressed = 13;
  s.tx_compressed = 14;
  s.rx_nohandler = 15;
  std::uint64_t errors = 0;
  Result<std::vector<NetDevLine>> r = ParseRtnlLinkDump(LinkMessage("eth0", s) + DoneMessage(), &errors);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(r.value().size(), 1u);
  const NetDevLine& d = r.value()[0];
  EXPECT_EQ(d.device, "eth0");
  std::array<std::uint64_t, 16> want = {3, 1, 5, 7 + 1000, 11, 400 + 100 + 200 + 300,         13, 9, 4,
                                        2, 6, 8, 12,       10, 20000 + 10000 + 30000 + 40000, 14};
  EXPECT_EQ(d.counters, want);
  EXPECT_EQ(d.receive_nohandler, 15u);
}

TEST(RtnlLinkParserTest, HandlesOldKernelStructsAndTruncation) {
  rtnl_link_stats64 s{};
  s.rx_bytes = 42;
  std::uint64_t errors = 0;
  // Before Linux 4.6 the struct ends before rx_nohandler.
  Result<std::vector<NetDevLine>> r =
      ParseRtnlLinkDump(LinkMessage("lo", s, offsetof(rtnl_link_stats64, rx_nohandler)) + DoneMessage(), &errors);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].counters[0], 42u);
  EXPECT_EQ(r.value()[0].receive_nohandler, 0u);

  std::string msg = LinkMessage("lo", s);
  errors = 0;
  r = ParseRtnlLinkDump(msg.substr(0, msg.size() - 8), &errors);  // cut short
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
  EXPECT_EQ(errors, 1u);

  errors = 0;
  r = ParseRtnlLinkDump(LinkMessage("short", s, 16) + DoneMessage(), &errors);  // stats too short to use
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
  EXPECT_EQ(errors, 1u);
}

TEST(RtnlLinkParserTest, NetlinkErrorFailsTheDump) {
  nlmsghdr h{};
  h.nlmsg_len = NLMSG_LENGTH(sizeof(nlmsgerr));
  h.nlmsg_type = NLMSG_ERROR;
  nlmsgerr e{};
  e.error = -EPERM;
  std::string msg(reinterpret_cast<const char*>(&h), sizeof(h));
  msg.append(reinterpret_cast<const char*>(&e), sizeof(e));
  std::uint64_t errors = 0;
  Result<std::vector<NetDevLine>> r = ParseRtnlLinkDump(msg, &errors);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Operation not permitted"), std::string::npos);
}

TEST(NetdevCollectorTest, NetlinkModeReadsTheLiveLoopback) {
  // The default mode asks the kernel, like node_exporter; every host has lo.
  ProcFs fs = testing::FixtureFs({});
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_network_receive_nohandler_total{device=\"lo\"}"), std::string::npos) << run.text;
  EXPECT_NE(run.text.find("node_network_transmit_bytes_total{device=\"lo\"}"), std::string::npos);
}

TEST(NetDevParserTest, ParsesColumnsInKernelOrder) {
  std::uint64_t errors = 0;
  std::vector<NetDevLine> d = ParseNetDev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier "
      "compressed\n"
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "eth0:1:17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].device, "eth0");
  for (std::size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(d[0].counters[i], i + 1);
  }
  EXPECT_EQ(d[1].device, "eth0:1");  // old-style alias; the counters start after the last ':'
  EXPECT_EQ(d[1].counters[0], 17u);
}

TEST(NetDevParserTest, SkipsAndCountsMalformedLines) {
  const char* header = "h1\nh2\n";
  const char* bad[] = {"x: 1 2 3\n", "no colon here\n", "x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 q\n",
                       ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"};
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    EXPECT_TRUE(ParseNetDev(std::string(header) + line, &errors).empty()) << line;
    EXPECT_EQ(errors, 1u) << line;
  }
}

TEST(NetdevCollectorTest, ExportsNodeExporterNamesFromFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", NetdevFixture(), ProcOptions());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 2u);  // "bad0" and the garbage line
  EXPECT_NE(run.text.find("# HELP node_network_receive_bytes_total Network device statistic receive_bytes.\n"
                          "# TYPE node_network_receive_bytes_total counter\n"
                          "node_network_receive_bytes_total{device=\"docker0\"} 100\n"
                          "node_network_receive_bytes_total{device=\"eth0\"} 9.87654321e+09\n"
                          "node_network_receive_bytes_total{device=\"lo\"} 1.234567e+06\n"),
            std::string::npos)
      << run.text;
  // Every column lands in its own family.
  const std::pair<const char*, const char*> eth0[] = {{"receive_errs", "1"},
                                                      {"receive_drop", "2"},
                                                      {"receive_fifo", "3"},
                                                      {"receive_frame", "4"},
                                                      {"receive_compressed", "5"},
                                                      {"receive_multicast", "6"},
                                                      {"transmit_bytes", "1.23456789e+08"},
                                                      {"transmit_packets", "234567"},
                                                      {"transmit_errs", "7"},
                                                      {"transmit_drop", "8"},
                                                      {"transmit_fifo", "9"},
                                                      {"transmit_colls", "10"},
                                                      {"transmit_carrier", "11"},
                                                      {"transmit_compressed", "12"}};
  for (const auto& [stat, value] : eth0) {
    std::string line = std::string("node_network_") + stat + "_total{device=\"eth0\"} " + value + "\n";
    EXPECT_NE(run.text.find(line), std::string::npos) << line;
  }
}

TEST(NetdevCollectorTest, DeviceIncludeAndExclude) {
  CollectorOptions include = ProcOptions();
  ASSERT_TRUE(include.Set("netdev", "device-include", "^lo$").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", NetdevFixture(), include);
  EXPECT_NE(run.text.find("{device=\"lo\"}"), std::string::npos);
  EXPECT_EQ(run.text.find("eth0"), std::string::npos);

  CollectorOptions exclude = ProcOptions();
  ASSERT_TRUE(exclude.Set("netdev", "device-exclude", "docker").ok());
  run = testing::RunCollectorOnce("netdev", NetdevFixture(), exclude);
  EXPECT_NE(run.text.find("{device=\"eth0\"}"), std::string::npos);
  EXPECT_EQ(run.text.find("docker0"), std::string::npos);

  ASSERT_TRUE(exclude.Set("netdev", "device-include", "eth").ok());
  run = testing::RunCollectorOnce("netdev", NetdevFixture(), exclude);
  EXPECT_EQ(run.status.message(), "device-exclude & device-include are mutually exclusive");
}

TEST(NetdevCollectorTest, ProcModeMissingFileIsNoData) {
  ProcFs fs = testing::FixtureFs({});
  EXPECT_TRUE(testing::RunCollectorOnce("netdev", fs, ProcOptions()).status.no_data());
}

}  // namespace
}  // namespace hostwatch
