#include "collectors/host/stat.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

ProcFs FixtureFs(const std::string& dir) { return testing::FixtureFs({.procfs = testing::FixturePath(dir + "/proc")}); }

TEST(StatCollectorTest, ExportsNodeExporterFamiliesFromFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("stat", FixtureFs("stat"));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_boot_time_seconds Node boot time, in unixtime.\n"
            "# TYPE node_boot_time_seconds gauge\nnode_boot_time_seconds 1.7e+09\n"
            "# HELP node_context_switches_total Total number of context switches.\n"
            "# TYPE node_context_switches_total counter\nnode_context_switches_total 9.87654321e+08\n"
            "# HELP node_forks_total Total number of forks.\n# TYPE node_forks_total counter\nnode_forks_total 4242\n"
            "# HELP node_intr_total Total number of interrupts serviced.\n"
            "# TYPE node_intr_total counter\nnode_intr_total 123456\n"
            "# HELP node_procs_blocked Number of processes blocked waiting for I/O to complete.\n"
            "# TYPE node_procs_blocked gauge\nnode_procs_blocked 1\n"
            "# HELP node_procs_running Number of processes in runnable state.\n"
            "# TYPE node_procs_running gauge\nnode_procs_running 3\n");
}

TEST(StatCollectorTest, SoftirqOptionAddsPerVectorCounters) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("stat", "softirq", "true").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("stat", FixtureFs("stat"), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# TYPE node_softirqs_total counter\n"
                          "node_softirqs_total{vector=\"block\"} 5\n"
                          "node_softirqs_total{vector=\"block_iopoll\"} 6\n"
                          "node_softirqs_total{vector=\"hi\"} 1\n"
                          "node_softirqs_total{vector=\"hrtimer\"} 9\n"
                          "node_softirqs_total{vector=\"net_rx\"} 4\n"
                          "node_softirqs_total{vector=\"net_tx\"} 3\n"
                          "node_softirqs_total{vector=\"rcu\"} 10\n"
                          "node_softirqs_total{vector=\"sched\"} 8\n"
                          "node_softirqs_total{vector=\"tasklet\"} 7\n"
                          "node_softirqs_total{vector=\"timer\"} 2\n"),
            std::string::npos)
      << run.text;
}

TEST(StatCollectorTest, MalformedLinesAreCountedNotFatal) {
  testing::CollectorRun run = testing::RunCollectorOnce("stat", FixtureFs("stat_malformed"));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 3u);
  EXPECT_EQ(run.text.find("node_context_switches_total "), std::string::npos);
  EXPECT_EQ(testing::Sample(run.text, "node_boot_time_seconds"), 1.7e+09);
}

TEST(StatCollectorTest, MissingFileIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("stat", FixtureFs("does-not-exist"));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
