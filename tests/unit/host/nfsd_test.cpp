#include "collectors/host/nfsd.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

const std::string kGood =
    "rc 0 6 18622\n"
    "fh 0 0 0 0 0\n"
    "io 157286400 72864\n"
    "th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000\n"
    "ra 32 0 0 0 0 0 0 0 0 0 0 0\n"
    "net 972 55 917 1\n"
    "rpc 18628 3 1 2 0\n"
    "proc3 22 2 112 0 2719 111 0 0 0 0 0 0 0 0 0 0 0 27 216 0 2 1 0\n";

TEST(NfsdParserTest, ReadsEveryLine) {
  std::string ops = "proc4ops 40";
  for (int i = 0; i < 40; ++i) {
    ops += " " + std::to_string(i + 1000);
  }
  std::uint64_t errors = 0;
  NfsdStats s = ParseNfsdStats(kGood + ops + "\nwdeleg_getattr 15\n", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.reply_cache_misses, 6u);
  EXPECT_EQ(s.reply_cache_nocache, 18622u);
  EXPECT_EQ(s.bytes_read, 157286400u);
  EXPECT_EQ(s.bytes_written, 72864u);
  EXPECT_EQ(s.threads, 8u);
  EXPECT_EQ(s.read_ahead_cache_size, 32u);
  EXPECT_EQ(s.network.udp, 55u);
  EXPECT_EQ(s.network.tcp, 917u);
  EXPECT_EQ(s.network.tcp_connections, 1u);
  EXPECT_EQ(s.rpcs, 18628u);
  EXPECT_EQ(s.bad_format, 1u);
  EXPECT_EQ(s.bad_auth, 2u);
  EXPECT_EQ(s.bad_client, 0u);
  EXPECT_EQ(s.v3[1], 112u);
  EXPECT_EQ(s.v4_operations[3], 1003u);   // ACCESS
  EXPECT_EQ(s.v4_operations[39], 1039u);  // RELEASE_LOCKOWNER
  EXPECT_EQ(s.wdeleg_getattr, 15u);
}

TEST(NfsdParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {
      "rc 1 2\n",                        // three values
      "fh 1 2 3 4 5 6\n",                // five values
      "th x 0 0.000\n",                  // not a number where it counts
      "th 8\n",                          // threads and busy count
      "ra 32 0 0\n",                     // size, ten buckets, not found
      "rpc 1 2 3 4\n",                   // five values
      "net 1 2 3 4 5\n",                 // four values
      "proc2 3 1 2 3\n",                 // NFSv2 needs all 18 procedures
      "proc4 3 1 2 3\n",                 // NULL and COMPOUND only
      "proc4ops 38 1 2\n",              // the count says 38, two follow
      "wdeleg_getattr abc\n",
      "io\n",
  };
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    NfsdStats s = ParseNfsdStats(kGood + line, &errors);
    EXPECT_EQ(errors, 1u) << line;
    EXPECT_EQ(s.bytes_read, 157286400u) << line;  // the good lines are kept
    EXPECT_EQ(s.threads, 8u) << line;
    EXPECT_EQ(s.v3[17], 216u) << line;
  }
}

TEST(NfsdParserTest, ThreadHistogramDecimalsAreNotRead) {
  std::uint64_t errors = 0;
  NfsdStats s = ParseNfsdStats("th 4 1 garbage 0.5\n", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.threads, 4u);
}

TEST(NfsdParserTest, UnknownLinesAreIgnored) {
  std::uint64_t errors = 0;
  NfsdStats s = ParseNfsdStats("rc 1 2 3\nnewline_of_a_future_kernel 1 x\n", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.reply_cache_hits, 1u);
}

ProcFs FixtureFs(const std::string& proc) { return testing::FixtureFs({.procfs = proc}); }

TEST(NfsdCollectorTest, ExportsOlderKernelFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("nfsd", FixtureFs(testing::FixturePath("nfsd/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_NE(run.text.find("# HELP node_nfsd_reply_cache_nocache_total Total number of NFSd Reply Cache "
                          "non-idempotent operations (rename/delete/\u2026).\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_server_threads"), 16);
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_read_ahead_cache_not_found_total"), 9);
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_rpc_errors_total{error=\"cInt\"}"), 3);
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_packets_total{proto=\"udp\"}"), 12);
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_requests_total{method=\"Commit\",proto=\"3\"}"), 51);
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_requests_total{method=\"PutFH\",proto=\"4\"}"), 122);
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_requests_total{method=\"Write\",proto=\"4\"}"), 138);
  // 39 columns: RELEASE_LOCKOWNER and the missing wdeleg_getattr line are 0, as upstream.
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_requests_total{method=\"RelLockOwner\",proto=\"4\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_nfsd_requests_total{method=\"WdelegGetattr\",proto=\"4\"}"), 0);
  // Not exported, as upstream: NULL and the unused or public-root NFSv4 operations.
  EXPECT_EQ(run.text.find("method=\"Null\""), std::string::npos);
  EXPECT_EQ(run.text.find("PutPubFH"), std::string::npos);
}

TEST(NfsdCollectorTest, NoNfsServerIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("nfsd", FixtureFs("/nonexistent-proc"));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
