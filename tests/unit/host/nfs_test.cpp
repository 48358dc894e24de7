#include "collectors/host/nfs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

const std::string kGood =
    "net 70 70 69 45\n"
    "rpc 1218785755 374636 1218815394\n"
    "proc2 18 16 57 74 52 71 73 45 86 0 52 83 61 17 53 50 23 70 82\n"
    "proc3 22 0 1061909262 48906 4077635 117661341 5 29391916 2570425 2993289 590 0 0 7815 15 1130 0 3983 92385 "
    "13332 2 1 23729\n";

TEST(NfsParserTest, ReadsEveryLine) {
  std::uint64_t errors = 0;
  NfsClientStats s = ParseNfsClientStats(kGood + "proc4 3 98 51 54\n", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.network.packets, 70u);
  EXPECT_EQ(s.network.udp, 70u);
  EXPECT_EQ(s.network.tcp, 69u);
  EXPECT_EQ(s.network.tcp_connections, 45u);
  EXPECT_EQ(s.rpcs, 1218785755u);
  EXPECT_EQ(s.retransmissions, 374636u);
  EXPECT_EQ(s.auth_refreshes, 1218815394u);
  EXPECT_EQ(s.v2[0], 16u);    // Null
  EXPECT_EQ(s.v2[17], 82u);   // FsStat
  EXPECT_EQ(s.v3[4], 117661341u);  // Access
  EXPECT_EQ(s.v3[21], 23729u);     // Commit
  EXPECT_EQ(s.v4[0], 98u);
  EXPECT_EQ(s.v4[2], 54u);
  EXPECT_EQ(s.v4[3], 0u);  // not counted by this kernel
}

TEST(NfsParserTest, ExtraNfsV4ProceduresAreIgnored) {
  std::string line = "proc4 61";
  for (int i = 1; i <= 61; ++i) {
    line += " " + std::to_string(i);
  }
  std::uint64_t errors = 0;
  NfsClientStats s = ParseNfsClientStats(line + "\n", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.v4[58], 59u);  // Clone, the last one node_exporter knows
}

TEST(NfsParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {
      "net 1 2 3\n",                     // net needs four values
      "rpc 1 x 3\n",                     // not a number
      "rpc 1 -2 3\n",                    // signed
      "proc2 18 1 2 3\n",                // fewer values than the count says
      "proc3 2 1 2\n",                   // NFSv3 needs all 22 procedures
      "proc4 2 1 2 3\n",                 // more values than the count says
      "proc4\n",                         // a label without values
      "net 1 2 3 99999999999999999999\n",  // beyond 64 bits
  };
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    NfsClientStats s = ParseNfsClientStats(kGood + line, &errors);
    EXPECT_EQ(errors, 1u) << line;
    EXPECT_EQ(s.network.tcp, 69u) << line;  // the good lines are kept
    EXPECT_EQ(s.rpcs, 1218785755u) << line;
    EXPECT_EQ(s.v3[21], 23729u) << line;
  }
}

TEST(NfsParserTest, UnknownLinesAndBlankLinesAreIgnored) {
  std::uint64_t errors = 0;
  NfsClientStats s = ParseNfsClientStats("\n  \nproc5 2 a b\n" + kGood, &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.v2[1], 57u);
}

ProcFs FixtureFs(const std::string& proc) { return testing::FixtureFs({.procfs = proc}); }

TEST(NfsCollectorTest, ExportsFixtureWithShortNfsV4Line) {
  testing::CollectorRun run = testing::RunCollectorOnce("nfs", FixtureFs(testing::FixturePath("nfs/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_NE(run.text.find("# HELP node_nfs_requests_total Number of NFS procedures invoked.\n"
                          "# TYPE node_nfs_requests_total counter\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_nfs_packets_total{protocol=\"tcp\"}"), 18628);
  EXPECT_EQ(testing::Sample(run.text, "node_nfs_connections_total"), 6);
  EXPECT_EQ(testing::Sample(run.text, "node_nfs_rpc_retransmissions_total"), 5);
  EXPECT_EQ(testing::Sample(run.text, "node_nfs_requests_total{method=\"GetAttr\",proto=\"3\"}"), 4084749);
  EXPECT_EQ(testing::Sample(run.text, "node_nfs_requests_total{method=\"BindConnToSession\",proto=\"4\"}"), 521);
  EXPECT_EQ(testing::Sample(run.text, "node_nfs_requests_total{method=\"Clone\",proto=\"4\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_nfs_requests_total{method=\"FsStat\",proto=\"2\"}"), 17);
}

TEST(NfsCollectorTest, NoNfsClientIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("nfs", FixtureFs("/nonexistent-proc"));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

TEST(NfsCollectorTest, UnreadableFileIsAnError) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/net/rpc/nfs");  // a directory: read() gives EISDIR
  testing::CollectorRun run = testing::RunCollectorOnce("nfs", FixtureFs(dir.path()));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("net/rpc/nfs"), std::string::npos) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
