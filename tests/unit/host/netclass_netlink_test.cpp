#include "collectors/host/netclass_netlink.h"

#include <gtest/gtest.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <map>

#include "collectors/core/netlink_dump.h"
#include "tests/unit/netlink_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// Captured by tests/fixtures/netclass_netlink/capture.py in a fresh network
// namespace: lo (down); veth0 (up, alias "uplink", altname "veth0-alt") and
// its peer veth1 (up); veth2 and its peer veth3 (both down).
std::string Links() { return testing::ReadFixture("netclass_netlink/links.bin"); }
std::string LinkModes() { return testing::ReadFixture("netclass_netlink/linkmodes.bin"); }

const RtnlLink* Find(const std::vector<RtnlLink>& links, std::string_view name) {
  auto it = std::find_if(links.begin(), links.end(), [name](const RtnlLink& l) { return l.name == name; });
  return it == links.end() ? nullptr : &*it;
}

TEST(ParseRtnlLinksTest, ReadsEveryLinkOfACapturedDump) {
  std::uint64_t errors = 0;
  Result<std::vector<RtnlLink>> links = ParseRtnlLinks(Links(), &errors);
  ASSERT_TRUE(links.ok()) << links.status().message();
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(links.value().size(), 5u);
  const RtnlLink* lo = Find(links.value(), "lo");
  const RtnlLink* veth0 = Find(links.value(), "veth0");
  const RtnlLink* veth1 = Find(links.value(), "veth1");
  const RtnlLink* veth2 = Find(links.value(), "veth2");
  ASSERT_TRUE(lo && veth0 && veth1 && veth2);
  EXPECT_EQ(lo->type, ARPHRD_LOOPBACK);
  EXPECT_EQ(lo->link, 0u);  // its own lower device: no IFLA_LINK
  EXPECT_EQ(lo->address, "00:00:00:00:00:00");
  EXPECT_EQ(veth0->type, ARPHRD_ETHER);
  EXPECT_EQ(veth0->link, veth1->index);
  EXPECT_EQ(veth1->link, veth0->index);
  EXPECT_EQ(veth0->ifalias, "uplink");
  EXPECT_EQ(veth0->altnames, std::vector<std::string>{"veth0-alt"});
  EXPECT_EQ(veth0->operstate, IF_OPER_UP);
  EXPECT_NE(veth0->flags & IFF_UP, 0u);
  EXPECT_NE(veth0->flags & IFF_LOWER_UP, 0u);  // ifi_flags carry the link state sysfs's flags lack
  EXPECT_EQ(veth0->carrier, 1u);
  EXPECT_EQ(veth0->address.size(), 17u);
  EXPECT_EQ(veth0->broadcast, "ff:ff:ff:ff:ff:ff");
  EXPECT_EQ(veth0->mtu, 1500u);
  EXPECT_EQ(veth0->tx_queue_len, 1000u);
  EXPECT_EQ(veth0->group, 0u);
  EXPECT_TRUE(veth0->carrier_changes.has_value());
  EXPECT_TRUE(veth0->stats64.has_value());
  EXPECT_EQ(veth2->operstate, IF_OPER_DOWN);
  EXPECT_EQ(veth2->flags & IFF_UP, 0u);
  EXPECT_EQ(veth2->carrier, 0u);
  EXPECT_TRUE(veth2->ifalias.empty());
  EXPECT_TRUE(veth2->altnames.empty());
}

TEST(ParseRtnlLinksTest, ErrorsAndBadMessages) {
  std::uint64_t errors = 0;
  nlmsgerr err{};
  err.error = -EPERM;
  Result<std::vector<RtnlLink>> r = ParseRtnlLinks(testing::NetlinkMessageBytes(NLMSG_ERROR, &err, sizeof(err)), &errors);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().sys_errno(), EPERM);

  // Cut in the middle of a message: the dump cannot be trusted.
  const std::string links = Links();
  EXPECT_FALSE(ParseRtnlLinks(links.substr(0, links.size() / 2 + 3), &errors).ok());

  // Too short for ifinfomsg; a link without a name; one whose attribute overruns it.
  ifinfomsg info{};
  std::string no_name = testing::NetlinkMessageBytes(RTM_NEWLINK, &info, sizeof(info));
  struct {
    ifinfomsg info;
    rtattr attr;
  } overrun{};
  overrun.attr.rta_len = 200;
  overrun.attr.rta_type = IFLA_IFNAME;
  errors = 0;
  r = ParseRtnlLinks(testing::NetlinkMessageBytes(RTM_NEWLINK, "x", 1) + no_name +
                         testing::NetlinkMessageBytes(RTM_NEWLINK, &overrun, sizeof(overrun)) +
                         testing::NetlinkDoneBytes(),
                     &errors);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
  EXPECT_EQ(errors, 3u);
}

// A link named "eth9" with an IFLA_STATS64 of `stats_bytes` bytes.
std::string LinkWithStats(std::size_t stats_bytes) {
  std::string body(NLMSG_ALIGN(sizeof(ifinfomsg)), '\0');
  auto attr = [&body](std::uint16_t type, std::string value) {
    rtattr a{};
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(value.size()));
    a.rta_type = type;
    body.append(reinterpret_cast<const char*>(&a), sizeof(a));
    body += value;
    body.resize(RTA_ALIGN(body.size()), '\0');
  };
  attr(IFLA_IFNAME, std::string("eth9\0", 5));
  std::string stats(stats_bytes, '\0');
  stats[0] = 7;  // rx_packets
  attr(IFLA_STATS64, stats);
  return testing::NetlinkMessageBytes(RTM_NEWLINK, body.data(), body.size());
}

TEST(ParseRtnlLinksTest, Stats64OfEveryKernelLayoutAndAShortOne) {
  for (std::size_t size : {184u, 192u, 200u, 208u}) {
    std::uint64_t errors = 0;
    Result<std::vector<RtnlLink>> r = ParseRtnlLinks(LinkWithStats(size), &errors);
    ASSERT_TRUE(r.ok() && r.value().size() == 1) << size;
    ASSERT_TRUE(r.value()[0].stats64.has_value()) << size;
    EXPECT_EQ((*r.value()[0].stats64)[0], 7u);
    EXPECT_EQ(errors, 0u);
  }
  std::uint64_t errors = 0;
  Result<std::vector<RtnlLink>> r = ParseRtnlLinks(LinkWithStats(100), &errors);
  ASSERT_TRUE(r.ok() && r.value().size() == 1);
  EXPECT_FALSE(r.value()[0].stats64.has_value());  // kept, without stats
  EXPECT_EQ(errors, 1u);
}

TEST(ParseEthtoolLinkModesTest, ReadsACapturedDump) {
  std::uint64_t errors = 0;
  Result<std::vector<EthtoolLinkMode>> modes = ParseEthtoolLinkModes(LinkModes(), &errors);
  ASSERT_TRUE(modes.ok()) << modes.status().message();
  EXPECT_EQ(errors, 0u);
  std::map<std::string, EthtoolLinkMode> by_name;
  for (const EthtoolLinkMode& m : modes.value()) {
    by_name[m.name] = m;
  }
  // lo has no link settings: the kernel leaves it out of the dump.
  EXPECT_EQ(by_name.size(), 4u);
  EXPECT_FALSE(by_name.contains("lo"));
  for (const char* veth : {"veth0", "veth1", "veth2", "veth3"}) {
    EXPECT_EQ(by_name[veth].speed_mbps, 10000u) << veth;  // veth reports 10 Gb/s even when down
    EXPECT_EQ(by_name[veth].duplex, DUPLEX_FULL) << veth;
  }
  const std::string bytes = LinkModes();
  // Cut inside the last reply (its header whole, its attributes not).
  EXPECT_FALSE(ParseEthtoolLinkModes(bytes.substr(0, bytes.size() - 100), &errors).ok());
}

TEST(NetclassNetlinkFormatTest, GoStringsOfDuplexAndHardwareAddresses) {
  EXPECT_EQ(EthtoolDuplexName(DUPLEX_HALF), "Half");
  EXPECT_EQ(EthtoolDuplexName(DUPLEX_FULL), "Full");
  EXPECT_EQ(EthtoolDuplexName(DUPLEX_UNKNOWN), "Unknown");
  EXPECT_EQ(EthtoolDuplexName(7), "Duplex(7)");
  EXPECT_EQ(HardwareAddrString(std::string("\x0a\xff\x00\x1b", 4)), "0a:ff:00:1b");
  EXPECT_EQ(HardwareAddrString(""), "");
}

TEST(SplitNetlinkAttributesTest, MasksTheNestedBitAndFlagsTruncation) {
  nlattr a{};
  a.nla_len = NLA_HDRLEN + 4;
  a.nla_type = 5 | NLA_F_NESTED;
  std::string bytes(reinterpret_cast<const char*>(&a), sizeof(a));
  bytes += "abcd";
  bool truncated = false;
  std::vector<NetlinkAttribute> attrs = SplitNetlinkAttributes(bytes, &truncated);
  ASSERT_EQ(attrs.size(), 1u);
  EXPECT_EQ(attrs[0].type, 5);
  EXPECT_EQ(attrs[0].value, "abcd");
  EXPECT_FALSE(truncated);
  attrs = SplitNetlinkAttributes(bytes.substr(0, 6), &truncated);
  EXPECT_TRUE(attrs.empty());
  EXPECT_TRUE(truncated);
}

// The series of the captured dumps, with made-up sysfs values for the three
// attributes netlink lacks.
std::string SeriesOfCapturedDumps(bool with_stats, const std::string& ignored = "^$") {
  std::uint64_t errors = 0;
  std::vector<RtnlLink> links = ParseRtnlLinks(Links(), &errors).value();
  std::vector<EthtoolLinkMode> modes = ParseEthtoolLinkModes(LinkModes(), &errors).value();
  std::vector<std::map<std::string, std::string>> sysfs(links.size(),
                                                        {{"addr_assign_type", "0"}, {"name_assign_type", "3"}});
  sysfs[0]["dev_id"] = "0x0";
  ProcFs fs = testing::FixtureFs({});
  DeviceFilter filter = DeviceFilter::Make(ignored, "").value();
  MetricSink sink;
  AddNetclassNetlinkSeries(links, modes, sysfs, {fs, filter, with_stats}, sink);
  return SerializeText(sink.TakeFamilies());
}

TEST(NetclassNetlinkSeriesTest, MatchesGoldenOutputOfCapturedDumps) {
  EXPECT_EQ(SeriesOfCapturedDumps(false), testing::ReadFixture("netclass_netlink/expected.prom"));
}

TEST(NetclassNetlinkSeriesTest, UpstreamNetlinkShape) {
  const std::string text = SeriesOfCapturedDumps(false);
  // No adminstate label; duplex as Go prints ethtool's value; present for down links.
  EXPECT_NE(text.find("# HELP node_network_info Non-numeric data of <iface>, value is always 1."), std::string::npos);
  EXPECT_EQ(text.find("adminstate"), std::string::npos);
  EXPECT_NE(text.find("duplex=\"Full\",ifalias=\"\",operstate=\"down\""), std::string::npos);
  EXPECT_EQ(testing::Sample(text, "node_network_altnames_info{altname=\"veth0-alt\",device=\"veth0\"}"), 1);
  EXPECT_EQ(testing::Sample(text, "node_network_speed_bytes{device=\"veth2\"}"), 1.25e9);
  EXPECT_FALSE(testing::Sample(text, "node_network_speed_bytes{device=\"lo\"}").has_value());
  EXPECT_EQ(testing::Sample(text, "node_network_carrier{device=\"veth2\"}"), 0);
  EXPECT_EQ(testing::Sample(text, "node_network_iface_link{device=\"lo\"}"),
            testing::Sample(text, "node_network_iface_id{device=\"lo\"}"));
  EXPECT_EQ(testing::Sample(text, "node_network_dormant{device=\"veth0\"}"),
            testing::Sample(text, "node_network_iface_link_mode{device=\"veth0\"}"));
  EXPECT_EQ(testing::Sample(text, "node_network_device_id{device=\"lo\"}"), 0);
  EXPECT_FALSE(testing::Sample(text, "node_network_device_id{device=\"veth0\"}").has_value());
  EXPECT_EQ(testing::Sample(text, "node_network_name_assign_type{device=\"veth0\"}"), 3);
  EXPECT_EQ(text.find("node_network_receive_packets_total"), std::string::npos);
}

TEST(NetclassNetlinkSeriesTest, WithStatsAddsTwentyFourGaugesPerLink) {
  const std::string text = SeriesOfCapturedDumps(true);
  EXPECT_NE(text.find("# TYPE node_network_receive_packets_total gauge"), std::string::npos);
  EXPECT_NE(text.find("# HELP node_network_receive_nohandler_total Network device property: receive_nohandler_total"),
            std::string::npos);
  EXPECT_TRUE(testing::Sample(text, "node_network_transmit_window_errors_total{device=\"veth3\"}").has_value());
}

TEST(NetclassNetlinkSeriesTest, IgnoredDevicesLoseEverySeriesSpeedIncluded) {
  const std::string text = SeriesOfCapturedDumps(false, "^veth[0-2]$");
  EXPECT_EQ(text.find("veth0"), std::string::npos);
  EXPECT_EQ(text.find("veth2"), std::string::npos);
  EXPECT_EQ(testing::Sample(text, "node_network_speed_bytes{device=\"veth3\"}"), 1.25e9);
}

TEST(NetclassNetlinkCollectorTest, ScrapesThisHostsNamespace) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("netclass", "netlink", "true").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("netclass", ProcFs(FsRoots{}), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_TRUE(testing::Sample(run.text, "node_network_iface_id{device=\"lo\"}").has_value());
  EXPECT_EQ(run.text.find("adminstate"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
