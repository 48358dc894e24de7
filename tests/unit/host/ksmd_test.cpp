#include "collectors/host/ksmd.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(KsmdValueTest, SleepMillisecsBecomesSecondsOthersStayAsRead) {
  EXPECT_DOUBLE_EQ(KsmdValue("sleep_millisecs", 20), 0.02);
  EXPECT_DOUBLE_EQ(KsmdValue("pages_to_scan", 100), 100);
}

// The fixture lacks general_profit (kernels before 6.1): it is skipped, the rest exported.
TEST(KsmdCollectorTest, ExportsNodeExporterSeriesAndSkipsMissingFiles) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("ksmd/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("ksmd", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_ksmd_full_scans_total"), 7);
  EXPECT_EQ(testing::Sample(run.text, "node_ksmd_sleep_seconds"), 0.25);
  EXPECT_EQ(testing::Sample(run.text, "node_ksmd_pages_sharing"), 30);
  EXPECT_EQ(testing::Sample(run.text, "node_ksmd_run"), 1);
  EXPECT_EQ(run.text.find("node_ksmd_general_profit_bytes"), std::string::npos);
}

TEST(KsmdCollectorTest, KernelWithoutKsmIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("ksmd", testing::FixtureFs({})).status.no_data());
}

TEST(KsmdCollectorTest, GarbageValueFailsAndCounts) {
  testing::TempDir dir;
  dir.Write("kernel/mm/ksm/run", "yes\n");
  testing::CollectorRun run = testing::RunCollectorOnce("ksmd", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.parse_errors, 1u);
}

}  // namespace
}  // namespace hostwatch
