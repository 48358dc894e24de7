#include "collectors/host/kernel_hung.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(KernelHungCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("kernel_hung/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("kernel_hung", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_kernel_hung_tasks_total Total number of tasks that have been detected as hung since the "
            "system booted.\n"
            "# TYPE node_kernel_hung_tasks_total counter\n"
            "node_kernel_hung_tasks_total 42\n");
}

TEST(KernelHungCollectorTest, BadContentIsAnErrorAndCounted) {
  testing::TempDir dir;
  dir.Write("proc/sys/kernel/hung_task_detect_count", "many\n");
  testing::CollectorRun run =
      testing::RunCollectorOnce("kernel_hung", testing::FixtureFs({.procfs = dir.path() + "/proc"}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_NE(run.status.message().find("hung_task_detect_count"), std::string::npos) << run.status.message();
}

TEST(KernelHungCollectorTest, OlderKernelWithoutTheFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("kernel_hung", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
