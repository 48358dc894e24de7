#include "collectors/checks/icmp/icmp_module.h"

#include <gtest/gtest.h>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/module_checks.h"
#include "tests/unit/checks/module_checks_test_util.h"

namespace hostwatch {
namespace {

// blackbox's example config's icmp modules, pasted as they are, plus hostwatch's keys.
TEST(IcmpModuleTest, ParsesBlackboxIcmpModulesWithDefaults) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = testing::ParseChecksYaml(R"(
modules:
  icmp:
    prober: icmp
  icmp_ttl5:
    prober: icmp
    timeout: 5s
    icmp:
      ttl: 5
  icmp_full:
    prober: icmp
    timeout: 8s
    icmp:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      source_ip_address: 127.0.0.1
      payload_size: 1200
      dont_fragment: true
      packets: 5
      packet_interval: 500ms
checks:
  - module: icmp
    targets: ["db1", "::1", "127.0.0.1"]
  - module: icmp_ttl5
    targets: ["db1.example.com"]
  - module: icmp_full
    targets: ["127.0.0.1"]
)",
                             &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(c.module_checks.size(), 5u);
  const CheckSpec& plain = *c.module_checks[0];
  EXPECT_EQ(plain.prober, ProberKind::kIcmp);
  EXPECT_EQ(plain.target, "db1");
  ASSERT_TRUE(plain.icmp);
  EXPECT_EQ(plain.icmp->preferred_ip_protocol, "ip6");
  EXPECT_TRUE(plain.icmp->ip_protocol_fallback);
  EXPECT_EQ(plain.icmp->ttl, 64);
  EXPECT_EQ(plain.icmp->payload_size, 0);
  EXPECT_FALSE(plain.icmp->dont_fragment);
  EXPECT_EQ(plain.icmp->packets, 1);
  EXPECT_EQ(c.module_checks[3]->icmp->ttl, 5);
  const IcmpModule& full = *c.module_checks[4]->icmp;
  EXPECT_EQ(full.preferred_ip_protocol, "ip4");
  EXPECT_FALSE(full.ip_protocol_fallback);
  EXPECT_EQ(full.source_ip_address, "127.0.0.1");
  EXPECT_EQ(full.payload_size, 1200);
  EXPECT_TRUE(full.dont_fragment);
  EXPECT_EQ(full.packets, 5);
  EXPECT_EQ(full.packet_interval, std::chrono::milliseconds(500));
}

TEST(IcmpModuleTest, ReportsEveryProblemWithItsPosition) {
  ConfigDiagnostics diag("hw.yml");
  testing::ParseChecksYaml(R"(modules:
  a: {prober: icmp, icmp: {ttll: 3}}
  b: {prober: icmp, icmp: {ttl: 256, payload_size: -1, source_ip_address: nowhere}}
  c: {prober: icmp, icmp: {packets: 0, packet_interval: 0s}}
  d: {prober: icmp, timeout: 2s, icmp: {packets: 5, packet_interval: 500ms}}
  e: {prober: icmp, icmp: {packets: 101}}
checks:
  - targets: ["db1:22", "a b"]
    module: a
)",
        &diag);
  const std::vector<std::string> want = {
      "hw.yml:2:28: modules.a.icmp.ttll: unknown key (known: preferred_ip_protocol, ip_protocol_fallback, "
      "source_ip_address, payload_size, dont_fragment, ttl, packets, packet_interval; did you mean ttl?)",
      "hw.yml:3:33: modules.b.icmp.ttl: must be between 0 and 255",
      "hw.yml:3:52: modules.b.icmp.payload_size: must be between 0 and 65507",
      "hw.yml:3:75: modules.b.icmp.source_ip_address: must be an IPv4 or IPv6 address",
      "hw.yml:4:37: modules.c.icmp.packets: must be between 1 and 100",
      "hw.yml:4:57: modules.c.icmp.packet_interval: must be above 0",
      "hw.yml:5:50: modules.d.icmp.packets: packets x packet_interval (2500ms) must fit in the module's timeout "
      "(2000ms): the last echo would have no time to be answered",
      "hw.yml:6:37: modules.e.icmp.packets: must be between 1 and 100",
      "hw.yml:8:15: checks[0].targets[0]: must be a host name or IP address (an icmp target is a host name or IP "
      "address, without a port)",
      "hw.yml:8:25: checks[0].targets[1]: must be a host name or IP address (not a host name or IP address)",
  };
  EXPECT_EQ(testing::ConfigErrorStrings(diag), want);
}

TEST(IcmpModuleTest, PacketsThatFillTheTimeoutExactlyAreAccepted) {
  ConfigDiagnostics diag("hw.yml");
  testing::ParseChecksYaml("modules: {m: {prober: icmp, timeout: 5s, icmp: {packets: 5, packet_interval: 1s}}}\n", &diag);
  EXPECT_TRUE(diag.ok()) << diag.ToString();
}

TEST(IcmpModuleTest, TargetsAreHostsOrAddressesWithoutPort) {
  std::string why;
  for (const char* ok : {"127.0.0.1", "::1", "fe80::1", "db1", "db1.example.com"}) {
    EXPECT_TRUE(ValidIcmpTarget(ok, &why)) << ok;
  }
  for (const char* bad : {"", "db1:22", "[::1]", "[::1]:22", "a/b", "a b"}) {
    EXPECT_FALSE(ValidIcmpTarget(bad, &why)) << bad;
  }
}

}  // namespace
}  // namespace hostwatch
