#include "collectors/host/netstat.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(NetstatParserTest, ParsesHeaderValuePairs) {
  std::uint64_t errors = 0;
  std::vector<NetstatField> f = ParseNetstatPairs(testing::ReadFixture("netstat/proc/net/snmp"), &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(f.size(), 4u + 3u + 10u + 6u + 4u);
  EXPECT_EQ(f[0].protocol, "Ip");
  EXPECT_EQ(f[0].name, "Forwarding");
  EXPECT_EQ(f[0].value, 2);
  EXPECT_EQ(f[16].protocol, "Tcp");
  EXPECT_EQ(f[16].name, "MaxConn");
  EXPECT_EQ(f[16].value, -1);
}

TEST(NetstatParserTest, SkipsAndCountsMalformedPairs) {
  struct Case {
    const char* text;
    std::size_t fields;
    std::uint64_t errors;
  } cases[] = {
      {"Tcp: A B\nTcp: 1\nUdp: C\nUdp: 3\n", 1, 1},  // count mismatch, next pair still read
      {"Tcp: A B\nTcp: 1 x\n", 1, 1},                // one bad value
      {"Tcp: A B\nUdp: C\nUdp: 3\n", 1, 1},          // missing value line: resync
      {"Tcp: A\n", 0, 1},                            // header at end of file
      {"garbage\nTcp: A\nTcp: 1\n", 1, 1},           // line without prefix
      {"\n\nTcp: A\nTcp: 1\n\n", 1, 0},              // blank lines
      {"Tcp: A B-C\nTcp: 1 2\n", 1, 1},              // field name not usable in a metric name
      {"T{c}p: A\nT{c}p: 1\n", 0, 2},                // protocol not usable: both lines rejected
  };
  for (const Case& c : cases) {
    std::uint64_t errors = 0;
    EXPECT_EQ(ParseNetstatPairs(c.text, &errors).size(), c.fields) << c.text;
    EXPECT_EQ(errors, c.errors) << c.text;
  }
}

TEST(NetstatParserTest, SplitsSnmp6NamesAtTheFirstSix) {
  std::uint64_t errors = 0;
  std::vector<NetstatField> f = ParseSnmp6("Ip6InOctets 4200\nUdpLite6InErrors\t0\n", &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].protocol, "Ip6");
  EXPECT_EQ(f[0].name, "InOctets");
  EXPECT_EQ(f[1].protocol, "UdpLite6");
  EXPECT_EQ(f[1].name, "InErrors");
}

TEST(NetstatParserTest, Snmp6SkipsAndCountsMalformedLines) {
  const char* bad[] = {"Ip6InOctets\n",     "Ip6InOctets x\n", "IpInOctets 1\n",
                       "Ip6InOctets 1 2\n", "Ip6 1\n",         "Ip6In\"Octets 1\n"};
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    std::vector<NetstatField> f = ParseSnmp6(std::string(line) + "Udp6NoPorts 1\n", &errors);
    EXPECT_EQ(errors, 1u) << line;
    EXPECT_EQ(f.size(), 1u) << line;
  }
}

ProcFs FixtureFs(const std::string& proc) { return testing::FixtureFs({.procfs = proc}); }

TEST(NetstatCollectorTest, ExportsDefaultFields) {
  testing::CollectorRun run = testing::RunCollectorOnce("netstat", FixtureFs(testing::FixturePath("netstat/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  for (const char* want : {"# HELP node_netstat_Tcp_RetransSegs Statistic TcpRetransSegs.\n"
                           "# TYPE node_netstat_Tcp_RetransSegs untyped\nnode_netstat_Tcp_RetransSegs 227\n",
                           "\nnode_netstat_IpExt_InOctets 1.23456789012e+11\n", "\nnode_netstat_Ip_Forwarding 2\n",
                           "\nnode_netstat_TcpExt_TCPSynRetrans 44\n", "\nnode_netstat_TcpExt_ListenDrops 9\n",
                           "\nnode_netstat_Ip6_InOctets 4200\n", "\nnode_netstat_UdpLite6_InErrors 0\n",
                           "\nnode_netstat_UdpLite_InErrors 0\n", "\nnode_netstat_Tcp_InErrs 5\n",
                           "# HELP node_netstat_Icmp6_OutMsgs Statistic Icmp6OutMsgs.\n"}) {
    EXPECT_NE(run.text.find(want), std::string::npos) << want << "\nin:\n" << run.text;
  }
  for (const char* unwanted : {"DelayedACKs", "MaxConn", "Ip6_InReceives", "Ip_InReceives", "UdpLite_NoPorts"}) {
    EXPECT_EQ(run.text.find(unwanted), std::string::npos) << unwanted;
  }
}

TEST(NetstatCollectorTest, FieldsOptionSelects) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("netstat", "fields", "^TcpExt_DelayedACKs$").ok());
  testing::CollectorRun run =
      testing::RunCollectorOnce("netstat", FixtureFs(testing::FixturePath("netstat/proc")), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_netstat_TcpExt_DelayedACKs Statistic TcpExtDelayedACKs.\n"
            "# TYPE node_netstat_TcpExt_DelayedACKs untyped\nnode_netstat_TcpExt_DelayedACKs 500\n");
}

TEST(NetstatCollectorTest, MissingSnmp6IsSkipped) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("netstat", FixtureFs(testing::FixturePath("netstat/noipv6/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_netstat_Tcp_RetransSegs"), 227);
  EXPECT_EQ(run.text.find("Ip6"), std::string::npos);
}

TEST(NetstatCollectorTest, MissingNetstatFails) {
  testing::CollectorRun run = testing::RunCollectorOnce("netstat", FixtureFs("/nonexistent-proc"));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
}

}  // namespace
}  // namespace hostwatch
