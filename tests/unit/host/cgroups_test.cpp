#include "collectors/host/cgroups.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(CgroupsParserTest, ControllerLinesAfterTheHeader) {
  std::uint64_t errors = 0;
  std::vector<CgroupSummary> s = ParseCgroupSummaries("#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
                                                      "cpuset\t5\t47\t1\nmemory\t0\t234\t0\n",
                                                      &errors);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s[0].subsys_name, "cpuset");
  EXPECT_EQ(s[0].hierarchy, 5);
  EXPECT_EQ(s[0].cgroups, 47);
  EXPECT_EQ(s[1].enabled, 0);
}

TEST(CgroupsParserTest, ShortOrNonNumericLinesAreSkippedAndCounted) {
  std::uint64_t errors = 0;
  std::vector<CgroupSummary> s = ParseCgroupSummaries("cpu 1 2 1\nbroken x 1 1\nshort 1\nrdma 4 1 -\n", &errors);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].subsys_name, "cpu");
  EXPECT_EQ(errors, 3u);
}

TEST(CgroupsCollectorTest, ExportsCountAndEnabledPerController) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("cgroups", testing::FixtureFs({.procfs = testing::FixturePath("cgroups")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_cgroups_cgroups{subsys_name=\"cpu\"}"), 172);
  EXPECT_EQ(testing::Sample(run.text, "node_cgroups_enabled{subsys_name=\"memory\"}"), 0);
  EXPECT_FALSE(testing::Sample(run.text, "node_cgroups_cgroups{subsys_name=\"broken\"}").has_value());
  EXPECT_EQ(run.parse_errors, 2u);
}

TEST(CgroupsCollectorTest, NoProcCgroupsIsNoData) {
  // Kernels built without cgroup v1 support may lack the file.
  EXPECT_TRUE(testing::RunCollectorOnce("cgroups", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
