#include "collectors/host/schedstat.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(SchedstatParserTest, TakesTheLastThreeNumbersOfCpuLines) {
  std::uint64_t errors = 0;
  std::vector<SchedstatCpu> cpus = ParseSchedstat(
      "version 15\ntimestamp 15819019232\ncpu0 1 2 3 4 5 6 70 80 90\ndomain0 3 1 2 3\ncpu1 0 0 0 0 0 0 7 8 9\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].cpu, "0");
  EXPECT_EQ(cpus[0].running_ns, 70u);
  EXPECT_EQ(cpus[0].waiting_ns, 80u);
  EXPECT_EQ(cpus[0].timeslices, 90u);
  EXPECT_EQ(cpus[1].cpu, "1");
}

TEST(SchedstatParserTest, SkipsAndCountsShortOrBadCpuLines) {
  std::uint64_t errors = 0;
  std::vector<SchedstatCpu> cpus =
      ParseSchedstat("cpu0 1 2 3\ncpux 0 0 0 0 0 0 7 8 9\ncpu2 0 0 0 0 0 0 7 -8 9\ncpu3 0 0 0 0 0 0 7 8 9\n", &errors);
  EXPECT_EQ(errors, 3u);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].cpu, "3");
}

TEST(SchedstatCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("schedstat/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("schedstat", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_NE(run.text.find("node_schedstat_running_seconds_total{cpu=\"0\"} 2.045936778163039e+06\n"), std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_schedstat_waiting_seconds_total{cpu=\"1\"}"), 364107.263788241);
  EXPECT_EQ(testing::Sample(run.text, "node_schedstat_timeslices_total{cpu=\"1\"}"), 5145567945);
}

TEST(SchedstatCollectorTest, MissingFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("schedstat", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
