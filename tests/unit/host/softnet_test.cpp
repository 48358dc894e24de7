#include "collectors/host/softnet.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(SoftnetParserTest, ThirteenColumnsCarryBacklogAndCpuId) {
  std::uint64_t errors = 0;
  std::vector<SoftnetCpu> cpus = ParseSoftnet(
      "0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000003 00000004 00000005 "
      "00000006 00000007\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].processed, 10);
  EXPECT_EQ(cpus[0].dropped, 1);
  EXPECT_EQ(cpus[0].time_squeezed, 2);
  EXPECT_EQ(cpus[0].cpu_collision, 3);
  EXPECT_EQ(cpus[0].received_rps, 4);
  EXPECT_EQ(cpus[0].flow_limit_count, 5);
  EXPECT_EQ(cpus[0].backlog_len, 6);
  EXPECT_EQ(cpus[0].cpu, 7u);
}

TEST(SoftnetParserTest, OlderKernelsNumberCpusByLineAndBadLinesKeepTheirPlace) {
  std::uint64_t errors = 0;
  std::vector<SoftnetCpu> cpus = ParseSoftnet(
      "00000001 0 0 0 0 0 0 0 0\n"
      "0000000x 0 0 0 0 0 0 0 0\n"
      "00000001 0 0\n"
      "ffffffff 0 0 0 0 0 0 0 0 0\n",
      &errors);
  EXPECT_EQ(errors, 2u);
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].cpu, 0u);
  EXPECT_EQ(cpus[1].cpu, 3u);
  EXPECT_EQ(cpus[1].processed, 4294967295.0);
}

TEST(SoftnetCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("softnet/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("softnet", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_softnet_processed_total{cpu=\"2\"}"), 5577791);
  EXPECT_EQ(testing::Sample(run.text, "node_softnet_dropped_total{cpu=\"1\"}"), 41);
  EXPECT_EQ(testing::Sample(run.text, "node_softnet_times_squeezed_total{cpu=\"3\"}"), 50);
  EXPECT_EQ(testing::Sample(run.text, "node_softnet_backlog_len{cpu=\"0\"}"), 0);
}

TEST(SoftnetCollectorTest, MissingFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("softnet", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
