#include "collectors/host/arp.h"

#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "tests/unit/netlink_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::string Neighbour(int ifindex, std::uint16_t state) {
  ndmsg nd{};
  nd.ndm_family = AF_INET;
  nd.ndm_ifindex = ifindex;
  nd.ndm_state = state;
  return testing::NetlinkMessageBytes(RTM_NEWNEIGH, &nd, sizeof(nd));
}

TEST(ArpParserTest, CountsProcNetArpEntriesPerDevice) {
  std::uint64_t errors = 0;
  std::map<std::string, double> n = ParseProcNetArp(
      "IP address       HW type     Flags       HW address            Mask     Device\n"
      "192.168.1.1    0x1         0x2         cc:aa:dd:ee:aa:bb     *        eth0\n"
      "192.168.1.9    0x1         0x0         00:00:00:00:00:00     *        eth0\n"
      "192.168.1.4    0x1         0x2         dd:ee:ff:aa:bb:cc     *        eth1\n"
      "192.168.1.5    0x1         0x2         *        eth1\n"
      "192.168.1.6    0x1         zz          dd:ee:ff:aa:bb:cc     *        eth1\n",
      &errors);
  EXPECT_EQ(errors, 2u);
  EXPECT_EQ(n, (std::map<std::string, double>{{"eth0", 2}, {"eth1", 1}}));
}

TEST(ArpParserTest, NeighbourDumpLeavesOutNoarpEntries) {
  std::uint64_t errors = 0;
  std::string dump = Neighbour(2, NUD_REACHABLE) + Neighbour(2, NUD_STALE) + Neighbour(1, NUD_NOARP) +
                     Neighbour(3, NUD_PERMANENT) + testing::NetlinkMessageBytes(RTM_NEWNEIGH, "x", 1) +
                     testing::NetlinkDoneBytes();
  Result<std::map<int, double>> n = ParseNeighbourDump(dump, &errors);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(n.value(), (std::map<int, double>{{2, 2}, {3, 1}}));
}

TEST(ArpParserTest, NeighbourDumpErrorIsAnError) {
  nlmsgerr err{};
  err.error = -EPERM;
  std::uint64_t errors = 0;
  Result<std::map<int, double>> n =
      ParseNeighbourDump(testing::NetlinkMessageBytes(NLMSG_ERROR, &err, sizeof(err)), &errors);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().sys_errno(), EPERM);
}

TEST(ArpCollectorTest, ProcPathExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("arp/proc")});
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("arp", "netlink", "false").ok());
  ASSERT_TRUE(options.Set("arp", "device-exclude", "nope").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("arp", fs, options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(run.text,
            "# HELP node_arp_entries ARP entries by device\n# TYPE node_arp_entries gauge\n"
            "node_arp_entries{device=\"eth0\"} 3\nnode_arp_entries{device=\"eth1\"} 3\n");
}

TEST(ArpCollectorTest, ProcPathMissingFileIsNoData) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("arp", "netlink", "false").ok());
  EXPECT_TRUE(testing::RunCollectorOnce("arp", testing::FixtureFs({}), options).status.no_data());
}

}  // namespace
}  // namespace hostwatch
