#include "collectors/host/ipvs.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(IpvsParserTest, StatsTakeTheThirdLineAsHex) {
  std::uint64_t errors = 0;
  std::optional<IpvsStats> s = ParseIpvsStats(testing::ReadFixture("ipvs/stats_only/net/ip_vs_stats"), &errors);
  ASSERT_TRUE(s);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s->connections, 23765872);
  EXPECT_EQ(s->incoming_packets, 3811989221.0);
  EXPECT_EQ(s->outgoing_packets, 0);
  EXPECT_EQ(s->incoming_bytes, 89991519156915.0);
}

TEST(IpvsParserTest, StatsThatAreShortOrNotHexAreRejected) {
  for (std::string_view text : {"a\nb\n1 2 3 4 5", "a\nb\n1 2 3 4\n", "a\nb\n1 2 3 4 g\n", ""}) {
    std::uint64_t errors = 0;
    EXPECT_FALSE(ParseIpvsStats(text, &errors)) << text;
    EXPECT_EQ(errors, 1u) << text;
  }
}

TEST(IpvsParserTest, BackendsCarryTheirServiceAndPrintAddressesAsGo) {
  std::uint64_t errors = 0;
  std::vector<IpvsBackend> b = ParseIpvsBackends(testing::ReadFixture("ipvs/proc/net/ip_vs"), &errors);
  // 0A00000Z (not hex), weight x, the malformed service 0A0001:0035 and its backend.
  EXPECT_EQ(errors, 4u);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].local_address, "2001:db8::1");
  EXPECT_EQ(b[0].local_port, 80);
  EXPECT_EQ(b[0].remote_address, "2001:db8::2");
  EXPECT_EQ(b[0].remote_port, 8080);
  EXPECT_EQ(b[0].proto, "TCP");
  EXPECT_EQ(b[0].weight, 1u);
  EXPECT_EQ(b[0].active_conn, 3u);
  EXPECT_EQ(b[0].inact_conn, 4u);
  EXPECT_EQ(b[1].remote_address, "192.168.0.1");  // IPv4-mapped, printed dotted as Go does
  EXPECT_EQ(b[2].local_address, "10.0.0.1");
  EXPECT_EQ(b[2].remote_address, "10.0.0.2");
  EXPECT_EQ(b[2].proto, "UDP");
  EXPECT_EQ(b[2].inact_conn, 7u);
}

TEST(IpvsParserTest, FirewallMarkServicesHaveNoLocalAddress) {
  std::uint64_t errors = 0;
  std::vector<IpvsBackend> b = ParseIpvsBackends(
      "FWM  10001000 wlc\n  -> C0A8321A:0CEA      Tunnel  20     64         1\n", &errors);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(b[0].local_address, "");
  EXPECT_EQ(b[0].local_port, 0);
  EXPECT_EQ(b[0].local_mark, "10001000");
  EXPECT_EQ(b[0].remote_address, "192.168.50.26");
  EXPECT_EQ(b[0].remote_port, 3306);
}

TEST(IpvsLabelsTest, LabelsKeepNodeExporterOrderAndUnknownOnesAreNamed) {
  Result<std::vector<std::string>> l = ParseIpvsBackendLabels("proto,,local_port");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l.value(), (std::vector<std::string>{"local_port", "proto"}));
  ASSERT_TRUE(ParseIpvsBackendLabels("").ok());
  EXPECT_TRUE(ParseIpvsBackendLabels("").value().empty());
  Result<std::vector<std::string>> bad = ParseIpvsBackendLabels("zone,local_port,area");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown IPVS backend labels: \"area, zone\"");
}

std::string ReadUpstream(const std::string& file) {
  std::ifstream in(std::string(HOSTWATCH_NODE_EXPORTER_FIXTURES) + "/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// node_exporter's own expected outputs for its label options, on its fixture tree.
TEST(IpvsCollectorTest, MatchesUpstreamResultsForEachLabelChoice) {
  const std::string tree = HOSTWATCH_NODE_EXPORTER_FIXTURES;
  ProcFs fs = testing::FixtureFs({.procfs = tree + "/proc"});
  if (ReadUpstream("ip_vs_result.txt").empty()) {
    GTEST_SKIP() << "node_exporter fixture tree not found at " << tree;
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ip_vs_result.txt", "local_address,local_port,remote_address,remote_port,proto,local_mark"},
      {"ip_vs_result_lbs_local_address_local_port.txt", "local_port,local_address"},
      {"ip_vs_result_lbs_local_port.txt", "local_port"},
      {"ip_vs_result_lbs_none.txt", ""},
  };
  for (const auto& [file, labels] : cases) {
    CollectorOptions options = DefaultCollectorOptions();
    ASSERT_TRUE(options.Set("ipvs", "backend-labels", labels).ok());
    testing::CollectorRun run = testing::RunCollectorOnce("ipvs", fs, options);
    ASSERT_TRUE(run.status.ok()) << run.status.message();
    EXPECT_EQ(run.parse_errors, 0u);
    EXPECT_EQ(run.text, ReadUpstream(file)) << file;
  }
}

TEST(IpvsCollectorTest, UnknownLabelFailsConstruction) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("ipvs", "backend-labels", "local_port,zone").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("ipvs", testing::FixtureFs({}), options);
  EXPECT_FALSE(run.status.ok());
  EXPECT_NE(run.status.message().find("zone"), std::string::npos);
}

TEST(IpvsCollectorTest, MissingStatsIsNoDataButMissingBackendsIsAnError) {
  EXPECT_TRUE(testing::RunCollectorOnce("ipvs", testing::FixtureFs({})).status.no_data());
  testing::CollectorRun run =
      testing::RunCollectorOnce("ipvs", testing::FixtureFs({.procfs = testing::FixturePath("ipvs/stats_only")}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("backend status"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
