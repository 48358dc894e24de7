#include "collectors/host/netdev_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <string>

#include "tests/unit/netlink_test_util.h"

namespace hostwatch {
namespace {

std::string V6(const char* text) {
  std::string b(16, '\0');
  EXPECT_EQ(inet_pton(AF_INET6, text, b.data()), 1) << text;
  return b;
}

std::string V4(const char* text) {
  std::string b(4, '\0');
  EXPECT_EQ(inet_pton(AF_INET, text, b.data()), 1) << text;
  return b;
}

void AppendAttr(std::string& body, unsigned short type, const std::string& value) {
  rtattr a{};
  a.rta_len = static_cast<unsigned short>(RTA_LENGTH(value.size()));
  a.rta_type = type;
  body.append(reinterpret_cast<const char*>(&a), sizeof(a));
  body += value;
  body.resize(RTA_ALIGN(body.size()), '\0');
}

std::string AddrMessage(unsigned char family, unsigned char prefix, int index, const std::string& address,
                        const std::string& local = "") {
  ifaddrmsg ifa{};
  ifa.ifa_family = family;
  ifa.ifa_prefixlen = prefix;
  ifa.ifa_index = static_cast<unsigned>(index);
  std::string body(reinterpret_cast<const char*>(&ifa), sizeof(ifa));
  body.resize(NLMSG_ALIGN(body.size()), '\0');
  AppendAttr(body, IFA_ADDRESS, address);
  if (!local.empty()) {
    AppendAttr(body, IFA_LOCAL, local);
  }
  AppendAttr(body, IFA_LABEL, std::string("x\0", 2));
  return testing::NetlinkMessageBytes(RTM_NEWADDR, body.data(), body.size());
}

std::string LinkMessage(int index, const std::string& name) {
  ifinfomsg info{};
  info.ifi_index = index;
  std::string body(reinterpret_cast<const char*>(&info), sizeof(info));
  body.resize(NLMSG_ALIGN(body.size()), '\0');
  AppendAttr(body, IFLA_IFNAME, name + std::string(1, '\0'));
  return testing::NetlinkMessageBytes(RTM_NEWLINK, body.data(), body.size());
}

TEST(NetdevAddressLabelsTest, PrintsAndScopesAddressesAsGoDoes) {
  struct Case {
    std::string bytes;
    unsigned prefix;
    const char *address, *netmask, *scope;
  };
  const Case cases[] = {
      {V4("127.0.0.1"), 8, "127.0.0.1", "8", "link-local"},  // loopback counts as link-local upstream
      {V4("169.254.3.4"), 16, "169.254.3.4", "16", "link-local"},
      {V4("10.1.2.3"), 24, "10.1.2.3", "24", "global"},  // Go's IsGlobalUnicast includes private ranges
      {V4("224.0.0.251"), 32, "224.0.0.251", "32", "link-local"},
      {V4("239.1.1.1"), 32, "239.1.1.1", "32", ""},
      {V4("0.0.0.0"), 0, "0.0.0.0", "0", ""},
      {V6("::1"), 128, "::1", "128", "link-local"},
      {V6("fe80::fc:ff:fe00:1"), 64, "fe80::fc:ff:fe00:1", "64", "link-local"},
      {V6("fd00::2"), 64, "fd00::2", "64", "global"},
      {V6("2001:db8:0:0:1:0:0:1"), 64, "2001:db8::1:0:0:1", "64", "global"},     // first longest zero run
      {V6("2001:db8:0:1:1:1:1:1"), 64, "2001:db8:0:1:1:1:1:1", "64", "global"},  // one zero group stays
      {V6("ff01::1"), 128, "ff01::1", "128", "interface-local"},
      {V6("ff02::1"), 128, "ff02::1", "128", "link-local"},
      {V6("::"), 0, "::", "0", ""},
      {V6("::1.2.3.4"), 96, "::102:304", "96", "global"},        // Go prints IPv4-compatible in hex
      {V6("::ffff:10.0.0.1"), 120, "10.0.0.1", "24", "global"},  // IPv4-mapped prints as IPv4
      {V6("::ffff:10.0.0.1"), 64, "10.0.0.1", "0", "global"},
  };
  for (const Case& c : cases) {
    NetAddressInfo got = GoAddressLabels(c.bytes, c.prefix);
    EXPECT_EQ(got.address, c.address);
    EXPECT_EQ(got.netmask, c.netmask) << c.address;
    EXPECT_EQ(got.scope, c.scope) << c.address;
  }
}

TEST(NetdevAddressParserTest, NamesAddressesByIndexAndPrefersTheLocalAddress) {
  std::uint64_t errors = 0;
  Result<std::map<int, std::string>> names =
      ParseRtnlLinkNames(LinkMessage(1, "lo") + LinkMessage(7, "ppp0") + testing::NetlinkDoneBytes(), &errors);
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(names.value(), (std::map<int, std::string>{{1, "lo"}, {7, "ppp0"}}));

  const std::string dump = AddrMessage(AF_INET, 8, 1, V4("127.0.0.1"), V4("127.0.0.1")) +
                           AddrMessage(AF_INET6, 128, 1, V6("::1")) +
                           // point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL this end
                           AddrMessage(AF_INET, 32, 7, V4("10.9.9.1"), V4("10.9.9.2")) +
                           AddrMessage(AF_INET, 24, 42, V4("192.0.2.1")) +  // interface gone since
                           AddrMessage(AF_INET6, 64, 1, V4("1.2.3.4")) +    // wrong length: counted
                           testing::NetlinkDoneBytes();
  Result<std::vector<NetAddressInfo>> addrs = ParseRtnlAddresses(dump, names.value(), &errors);
  ASSERT_TRUE(addrs.ok()) << addrs.status().message();
  EXPECT_EQ(errors, 1u);
  ASSERT_EQ(addrs.value().size(), 3u);
  EXPECT_EQ(addrs.value()[0].device, "lo");
  EXPECT_EQ(addrs.value()[0].address, "127.0.0.1");
  EXPECT_EQ(addrs.value()[1].address, "::1");
  EXPECT_EQ(addrs.value()[2].device, "ppp0");
  EXPECT_EQ(addrs.value()[2].address, "10.9.9.2");
  EXPECT_EQ(addrs.value()[2].netmask, "32");
}

TEST(NetdevAddressParserTest, ANetlinkErrorFailsAndTruncationIsAnError) {
  nlmsgerr e{};
  e.error = -EPERM;
  std::uint64_t errors = 0;
  EXPECT_FALSE(ParseRtnlAddresses(testing::NetlinkMessageBytes(NLMSG_ERROR, &e, sizeof(e)), {}, &errors).ok());
  std::string msg = AddrMessage(AF_INET, 8, 1, V4("127.0.0.1"));
  EXPECT_FALSE(ParseRtnlAddresses(msg.substr(0, msg.size() - 4), {{1, "lo"}}, &errors).ok());
}

}  // namespace
}  // namespace hostwatch
