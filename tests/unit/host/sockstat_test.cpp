#include "collectors/host/sockstat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(SockstatParserTest, ParsesUsedAndProtocols) {
  std::uint64_t errors = 0;
  Sockstat s = ParseSockstat(testing::ReadFixture("sockstat/proc/net/sockstat"), &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.sockets_used, 1337.0);
  ASSERT_EQ(s.protocols.size(), 5u);
  const SockstatProtocol& tcp = s.protocols[0];
  EXPECT_EQ(tcp.name, "TCP");
  EXPECT_EQ(tcp.inuse, 12);
  EXPECT_EQ(tcp.orphan, 1.0);
  EXPECT_EQ(tcp.tw, 30.0);
  EXPECT_EQ(tcp.alloc, 40.0);
  EXPECT_EQ(tcp.mem, 5.0);
  EXPECT_FALSE(tcp.memory.has_value());
  EXPECT_EQ(s.protocols[4].name, "FRAG");
  EXPECT_EQ(s.protocols[4].memory, 0.0);
  EXPECT_FALSE(s.protocols[2].mem.has_value());
}

TEST(SockstatParserTest, IgnoresUnknownKeys) {
  std::uint64_t errors = 0;
  Sockstat s = ParseSockstat("TCP: inuse 1 newkey 9\n", &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(s.protocols.size(), 1u);
  EXPECT_EQ(s.protocols[0].inuse, 1);
}

TEST(SockstatParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {
      "TCP:\n",             // no pairs
      "TCP: inuse\n",       // key without value
      "TCP: inuse 1 tw\n",  // odd pair count
      "TCP: inuse x\n",     // not a number
      "TCP inuse 1\n",      // no colon
      ": inuse 1\n",        // empty name
      "TCP: inuse 1.5\n",   // not an integer
      "TC-P: inuse 1\n",    // name not usable in a metric name
  };
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    Sockstat s = ParseSockstat(std::string("sockets: used 3\n") + line + "UDP: inuse 2\n", &errors);
    EXPECT_EQ(errors, 1u) << line;
    EXPECT_EQ(s.sockets_used, 3.0) << line;
    ASSERT_EQ(s.protocols.size(), 1u) << line;
    EXPECT_EQ(s.protocols[0].name, "UDP") << line;
  }
}

ProcFs FixtureFs(const std::string& proc) { return testing::FixtureFs({.procfs = proc}); }

TEST(SockstatCollectorTest, ExportsBothFiles) {
  testing::CollectorRun run = testing::RunCollectorOnce("sockstat", FixtureFs(testing::FixturePath("sockstat/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  const std::string page_bytes = std::to_string(5 * sysconf(_SC_PAGESIZE));
  for (const std::string& want :
       {std::string("# HELP node_sockstat_TCP_inuse Number of TCP sockets in state inuse.\n"
                    "# TYPE node_sockstat_TCP_inuse gauge\nnode_sockstat_TCP_inuse 12\n"),
        std::string("# HELP node_sockstat_sockets_used Number of IPv4 sockets in use.\n"
                    "# TYPE node_sockstat_sockets_used gauge\nnode_sockstat_sockets_used 1337\n"),
        std::string("\nnode_sockstat_TCP_mem_bytes " + page_bytes + "\n"),
        std::string("\nnode_sockstat_TCP6_inuse 7\n"), std::string("\nnode_sockstat_FRAG6_memory 0\n"),
        std::string("\nnode_sockstat_UDP_mem 2\n")}) {
    EXPECT_NE(run.text.find(want), std::string::npos) << want << "\nin:\n" << run.text;
  }
  EXPECT_EQ(run.text.find("node_sockstat_UDPLITE_mem"), std::string::npos);
}

TEST(SockstatCollectorTest, MissingIpv6FileIsSkipped) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("sockstat", FixtureFs(testing::FixturePath("sockstat/ipv4only/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_sockstat_TCP_inuse"), 12);
  EXPECT_EQ(run.text.find("TCP6"), std::string::npos);
}

TEST(SockstatCollectorTest, NoFilesIsEmptySuccess) {
  testing::CollectorRun run = testing::RunCollectorOnce("sockstat", FixtureFs("/nonexistent-proc"));
  EXPECT_TRUE(run.status.ok());
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
