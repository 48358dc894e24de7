#include "collectors/host/netdev.h"

#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
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
  NetDevLine d = r.value()[0];
  EXPECT_EQ(d.device, "eth0");
  // The 24 keys node_exporter reads from netlink, as --collector.netdev.enable-detailed-metrics exports them.
  EXPECT_EQ(d.stats[kReceiveMissedErrors], 1000u);
  EXPECT_EQ(d.stats[kTransmitWindowErrors], 40000u);
  EXPECT_EQ(d.stats[kMulticast], 9u);
  EXPECT_EQ(d.stats[kReceiveNohandler], 15u);
  EXPECT_FALSE(d.stats[kReceiveErrs].has_value());
  EXPECT_EQ(std::count_if(d.stats.begin(), d.stats.end(), [](const auto& v) { return v.has_value(); }), 24);
  // Without it, legacy() folds them into /proc/net/dev's columns as net/core/net-procfs.c does.
  FoldLegacyNetDevStats(d.stats);
  const std::pair<NetDevStat, std::uint64_t> want[] = {
      {kReceiveBytes, 3},        {kReceivePackets, 1},   {kReceiveErrs, 5},
      {kReceiveDrop, 7 + 1000},  {kReceiveFifo, 11},     {kReceiveFrame, 400 + 100 + 200 + 300},
      {kReceiveCompressed, 13},  {kReceiveMulticast, 9}, {kTransmitBytes, 4},
      {kTransmitPackets, 2},     {kTransmitErrs, 6},     {kTransmitDrop, 8},
      {kTransmitFifo, 12},       {kTransmitColls, 10},   {kTransmitCarrier, 20000 + 10000 + 30000 + 40000},
      {kTransmitCompressed, 14}, {kReceiveNohandler, 15}};
  for (const auto& [k, v] : want) {
    EXPECT_EQ(d.stats[k], v) << NetDevStatName(k);
  }
  EXPECT_EQ(std::count_if(d.stats.begin(), d.stats.end(), [](const auto& v) { return v.has_value(); }), 17);
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
  EXPECT_EQ(r.value()[0].stats[kReceiveBytes], 42u);
  EXPECT_EQ(r.value()[0].stats[kReceiveNohandler], 0u);

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
    EXPECT_EQ(d[0].stats[i], i + 1);
  }
  EXPECT_FALSE(d[0].stats[kReceiveNohandler].has_value());
  EXPECT_EQ(d[1].device, "eth0:1");  // old-style alias; the counters start after the last ':'
  EXPECT_EQ(d[1].stats[kReceiveBytes], 17u);
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

TEST(NetdevCollectorTest, DetailedMetricsKeepTheSourcesOwnNames) {
  CollectorOptions o = ProcOptions();
  ASSERT_TRUE(o.Set("netdev", "enable-detailed-metrics", "true").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", NetdevFixture(), o);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  // /proc/net/dev under node_exporter's detailed keys: errors and dropped are not renamed.
  EXPECT_NE(run.text.find("# HELP node_network_receive_errors_total Network device statistic receive_errors.\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_network_receive_errors_total{device=\"eth0\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_network_transmit_dropped_total{device=\"eth0\"}"), 8);
  EXPECT_EQ(testing::Sample(run.text, "node_network_transmit_colls_total{device=\"eth0\"}"), 10);
  EXPECT_EQ(run.text.find("receive_errs"), std::string::npos);

  // rtnetlink: the 24 keys, unfolded.
  ASSERT_TRUE(o.Set("netdev", "netlink", "true").ok());
  ASSERT_TRUE(o.Set("netdev", "device-include", "^lo$").ok());
  run = testing::RunCollectorOnce("netdev", testing::FixtureFs({}), o);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  for (const char* stat : {"receive_missed_errors", "transmit_heartbeat_errors", "multicast", "collisions",
                           "receive_dropped", "receive_nohandler"}) {
    EXPECT_TRUE(testing::Sample(run.text, std::string("node_network_") + stat + "_total{device=\"lo\"}"))
        << stat << "\n"
        << run.text;
  }
  EXPECT_EQ(run.text.find("receive_drop_total"), std::string::npos);
}

TEST(NetdevCollectorTest, LabelIfaliasAddsTheSysfsAlias) {
  CollectorOptions o = ProcOptions();
  ASSERT_TRUE(o.Set("netdev", "label-ifalias", "true").ok());
  ProcFs fs =
      testing::FixtureFs({.procfs = testing::FixturePath("netdev/proc"), .sysfs = testing::FixturePath("netdev/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", fs, o);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_network_receive_errs_total{device=\"eth0\",ifalias=\"uplink to core\"}"), 1)
      << run.text;
  // No alias set, or no ifalias file for the device: an empty label, as node_exporter.
  EXPECT_EQ(testing::Sample(run.text, "node_network_receive_bytes_total{device=\"lo\",ifalias=\"\"}"), 1234567);
  EXPECT_EQ(testing::Sample(run.text, "node_network_receive_bytes_total{device=\"docker0\",ifalias=\"\"}"), 100);
  // node_exporter fails when it cannot list <sysfs>/class/net.
  run = testing::RunCollectorOnce("netdev", NetdevFixture(), o);
  EXPECT_FALSE(run.status.ok());
}

TEST(NetdevCollectorTest, AddressInfoListsTheLiveLoopbackAddresses) {
  CollectorOptions o = DefaultCollectorOptions();
  ASSERT_TRUE(o.Set("netdev", "address-info", "true").ok());
  ASSERT_TRUE(o.Set("netdev", "device-include", "^lo$").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("netdev", testing::FixtureFs({}), o);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# HELP node_network_address_info node network address by device\n"
                          "# TYPE node_network_address_info gauge\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text,
                            "node_network_address_info{address=\"127.0.0.1\",device=\"lo\",netmask=\"8\","
                            "scope=\"link-local\"}"),
            1)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text,
                            "node_network_address_info{address=\"::1\",device=\"lo\",netmask=\"128\","
                            "scope=\"link-local\"}"),
            1);
  // The device filter applies to the addresses too.
  EXPECT_EQ(run.text.find("device=\"eth"), std::string::npos);
  ASSERT_TRUE(o.Set("netdev", "address-info", "false").ok());
  run = testing::RunCollectorOnce("netdev", testing::FixtureFs({}), o);
  EXPECT_EQ(run.text.find("node_network_address_info"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
