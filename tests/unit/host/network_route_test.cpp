#include "collectors/host/network_route.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <map>

#include "collectors/core/netlink_dump.h"
#include "collectors/core/text_format.h"
#include "collectors/registry.h"
#include "tests/unit/netlink_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::string Bytes(const void* p, std::size_t n) { return std::string(static_cast<const char*>(p), n); }

std::string Addr(int family, const char* text) {
  unsigned char buf[16];
  EXPECT_EQ(inet_pton(family, text, buf), 1) << text;
  return Bytes(buf, family == AF_INET ? 4 : 16);
}

std::string U32Attr(std::uint16_t type, std::uint32_t v) { return NetlinkAttributeBytes(type, Bytes(&v, sizeof(v))); }

// An RTM_NEWROUTE message: rtmsg, then the given attributes.
std::string RouteMessage(int family, std::uint8_t dst_len, std::uint8_t protocol, std::uint8_t type,
                         const std::string& attributes) {
  rtmsg rt{};
  rt.rtm_family = static_cast<unsigned char>(family);
  rt.rtm_dst_len = dst_len;
  rt.rtm_protocol = protocol;
  rt.rtm_type = type;
  rt.rtm_table = RT_TABLE_MAIN;
  std::string body = Bytes(&rt, sizeof(rt)) + attributes;
  return testing::NetlinkMessageBytes(RTM_NEWROUTE, body.data(), body.size());
}

// One rtnexthop with its gateway attribute.
std::string NextHop(int ifindex, std::uint8_t hops, const std::string& gateway) {
  std::string attrs = NetlinkAttributeBytes(RTA_GATEWAY, gateway);
  rtnexthop nh{};
  nh.rtnh_len = static_cast<unsigned short>(sizeof(nh) + attrs.size());
  nh.rtnh_hops = hops;
  nh.rtnh_ifindex = ifindex;
  return Bytes(&nh, sizeof(nh)) + attrs;
}

TEST(ParseRouteDumpTest, ReadsSingleAndMultipathRoutes) {
  std::string dump =
      RouteMessage(AF_INET, 0, RTPROT_DHCP, RTN_UNICAST,
                   NetlinkAttributeBytes(RTA_GATEWAY, Addr(AF_INET, "10.0.0.1")) + U32Attr(RTA_OIF, 2) +
                       U32Attr(RTA_PRIORITY, 100) + NetlinkAttributeBytes(RTA_PREFSRC, Addr(AF_INET, "10.0.0.5"))) +
      RouteMessage(AF_INET6, 48, RTPROT_BGP, RTN_UNICAST,
                   NetlinkAttributeBytes(RTA_DST, Addr(AF_INET6, "2001:db8:1::")) +
                       NetlinkAttributeBytes(RTA_MULTIPATH, NextHop(2, 0, Addr(AF_INET6, "fe80::1")) +
                                                                NextHop(3, 4, Addr(AF_INET6, "fe80::2")))) +
      testing::NetlinkDoneBytes();
  std::uint64_t errors = 0;
  Result<std::vector<RtnlRoute>> routes = ParseRouteDump(dump, &errors);
  ASSERT_TRUE(routes.ok()) << routes.status().message();
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(routes.value().size(), 2u);
  const RtnlRoute& d = routes.value()[0];
  EXPECT_EQ(d.oif, 2u);
  EXPECT_EQ(d.priority, 100u);
  EXPECT_EQ(d.gateway, Addr(AF_INET, "10.0.0.1"));
  EXPECT_EQ(d.prefsrc, Addr(AF_INET, "10.0.0.5"));
  EXPECT_TRUE(d.multipath.empty());
  const RtnlRoute& m = routes.value()[1];
  ASSERT_EQ(m.multipath.size(), 2u);
  EXPECT_EQ(m.multipath[1].ifindex, 3u);
  EXPECT_EQ(m.multipath[1].hops, 4u);
  EXPECT_EQ(m.multipath[1].gateway, Addr(AF_INET6, "fe80::2"));
}

TEST(ParseRouteDumpTest, MalformedMessagesAreCountedAndSkipped) {
  rtnexthop too_long{};
  too_long.rtnh_len = 200;
  std::string dump =
      RouteMessage(AF_INET, 24, RTPROT_KERNEL, RTN_UNICAST, NetlinkAttributeBytes(RTA_DST, "\x0a\x00\x00")) +
      RouteMessage(AF_INET, 24, RTPROT_KERNEL, RTN_UNICAST, NetlinkAttributeBytes(RTA_MULTIPATH, Bytes(&too_long, sizeof(too_long)))) +
      RouteMessage(AF_INET, 24, RTPROT_KERNEL, RTN_UNICAST, std::string("\x40\x00\x01\x00", 4)) +
      RouteMessage(AF_INET, 24, RTPROT_KERNEL, RTN_UNICAST, NetlinkAttributeBytes(RTA_DST, Addr(AF_INET, "10.1.0.0")));
  std::string short_body(sizeof(rtmsg) - 2, '\0');
  dump += testing::NetlinkMessageBytes(RTM_NEWROUTE, short_body.data(), short_body.size());
  std::uint64_t errors = 0;
  Result<std::vector<RtnlRoute>> routes = ParseRouteDump(dump, &errors);
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(errors, 4u);
  ASSERT_EQ(routes.value().size(), 1u);
  EXPECT_EQ(RouteDestination(routes.value()[0].dst, 24), "10.1.0.0/24");
}

TEST(RouteLabelsTest, DestinationAndProtocolAsNodeExporterPrintsThem) {
  EXPECT_EQ(RouteDestination("", 0), "default");
  EXPECT_EQ(RouteDestination(Addr(AF_INET, "192.168.7.0"), 24), "192.168.7.0/24");
  EXPECT_EQ(RouteDestination(Addr(AF_INET6, "2001:db8::"), 32), "2001:db8::/32");
  EXPECT_EQ(RouteDestination(Addr(AF_INET6, "::ffff:10.0.0.0"), 104), "<nil>");  // IPv4-mapped: a 32-bit mask
  EXPECT_EQ(RouteDestination(Addr(AF_INET6, "::ffff:10.0.0.0"), 8), "10.0.0.0/8");
  EXPECT_EQ(RouteDestination("", 8), "<nil>");
  EXPECT_EQ(RouteProtocolName(RTPROT_KERNEL), "kernel");
  EXPECT_EQ(RouteProtocolName(RTPROT_BABEL), "babel");
  EXPECT_EQ(RouteProtocolName(RTPROT_KEEPALIVED), "unknown");  // not in node_exporter's table
}

TEST(NetworkRouteCollectorTest, TheLoopbackRoutesOfThisNamespaceAreThere) {
  // The IPv6 ::1/128 route lives in the local table (RTN_LOCAL, not reported); what every
  // namespace with lo up has in the main table depends on the host, so check the shape only.
  testing::CollectorRun run = testing::RunCollectorOnce("network_route", testing::FixtureFs({}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_NE(run.text.find("# TYPE node_network_route_info gauge"), std::string::npos) << run.text;
  EXPECT_NE(run.text.find("# TYPE node_network_routes gauge"), std::string::npos) << run.text;
}

}  // namespace
}  // namespace hostwatch

namespace hostwatch {
namespace {

TEST(AddNetworkRouteSeriesTest, OneSeriesPerNextHopAndACountPerDevice) {
  RtnlRoute def;
  def.type = RTN_UNICAST;
  def.protocol = RTPROT_DHCP;
  def.gateway = Addr(AF_INET, "10.0.0.1");
  def.prefsrc = Addr(AF_INET, "10.0.0.5");
  def.oif = 2;
  def.priority = 100;
  RtnlRoute multi;
  multi.type = RTN_UNICAST;
  multi.protocol = RTPROT_BGP;
  multi.dst = Addr(AF_INET6, "2001:db8:1::");
  multi.dst_len = 48;
  multi.multipath = {{2, 0, Addr(AF_INET6, "fe80::1")}, {9, 4, ""}};
  RtnlRoute local = def;
  local.type = RTN_LOCAL;  // not unicast: left out
  MetricSink sink;
  AddNetworkRouteSeries({def, multi, local}, {{2, "eth0"}}, sink);
  std::string text = SerializeText(sink.TakeFamilies());
  EXPECT_EQ(text,
            "# HELP node_network_route_info network routing table information\n"
            "# TYPE node_network_route_info gauge\n"
            "node_network_route_info{dest=\"2001:db8:1::/48\",device=\"\",gw=\"\",priority=\"0\",proto=\"bgp\",src=\"\","
            "weight=\"5\"} 1\n"
            "node_network_route_info{dest=\"2001:db8:1::/48\",device=\"eth0\",gw=\"fe80::1\",priority=\"0\","
            "proto=\"bgp\",src=\"\",weight=\"1\"} 1\n"
            "node_network_route_info{dest=\"default\",device=\"eth0\",gw=\"10.0.0.1\",priority=\"100\",proto=\"dhcp\","
            "src=\"10.0.0.5\",weight=\"\"} 1\n"
            "# HELP node_network_routes network routes by interface\n"
            "# TYPE node_network_routes gauge\n"
            "node_network_routes{device=\"\"} 1\n"
            "node_network_routes{device=\"eth0\"} 2\n");
}

}  // namespace
}  // namespace hostwatch

namespace hostwatch {
namespace {

// Captured by tests/fixtures/network_route/capture.py in a namespace with veth pairs c0a/c0b and
// c1a/c1b (10.50.0.1/24 and 2001:db8:50::1/64 on c0a, 10.51.0.1/24 on c1a), a default route via
// 10.50.0.254, 10.70.0.0/24 over both pairs (weights 1 and 3), 10.90.0.0/24 in table 100 and
// 2001:db8:99::/48 via 2001:db8:50::2 proto bgp.
TEST(ParseRouteDumpTest, ReadsACapturedDump) {
  std::uint64_t errors = 0;
  Result<std::vector<RtnlRoute>> routes = ParseRouteDump(testing::ReadFixture("network_route/routes.bin"), &errors);
  ASSERT_TRUE(routes.ok()) << routes.status().message();
  EXPECT_EQ(errors, 0u);
  std::map<std::string, const RtnlRoute*> unicast;
  for (const RtnlRoute& r : routes.value()) {
    if (r.type == RTN_UNICAST) {
      unicast[RouteDestination(r.dst, r.dst_len)] = &r;
    }
  }
  ASSERT_TRUE(unicast.count("default") && unicast.count("10.70.0.0/24") && unicast.count("10.90.0.0/24") &&
              unicast.count("2001:db8:99::/48") && unicast.count("10.50.0.0/24"))
      << routes.value().size();
  EXPECT_EQ(unicast["default"]->gateway, Addr(AF_INET, "10.50.0.254"));
  const RtnlRoute& multi = *unicast["10.70.0.0/24"];
  ASSERT_EQ(multi.multipath.size(), 2u);
  EXPECT_EQ(multi.multipath[0].hops, 0u);
  EXPECT_EQ(multi.multipath[1].hops, 2u);  // weight 3
  EXPECT_EQ(multi.multipath[1].gateway, Addr(AF_INET, "10.51.0.2"));
  EXPECT_EQ(unicast["2001:db8:99::/48"]->protocol, RTPROT_BGP);
  EXPECT_EQ(unicast["2001:db8:99::/48"]->priority, 1024u);
  EXPECT_EQ(unicast["10.50.0.0/24"]->prefsrc, Addr(AF_INET, "10.50.0.1"));
  EXPECT_EQ(unicast["10.50.0.0/24"]->protocol, RTPROT_KERNEL);
  // Local and broadcast routes are in the dump too; the collector leaves them out.
  EXPECT_GT(routes.value().size(), unicast.size());
}

}  // namespace
}  // namespace hostwatch
