#include "collectors/host/swap.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(SwapParserTest, SkipsTheHeaderAndReadsEveryArea) {
  std::uint64_t errors = 0;
  std::vector<SwapArea> a = ParseSwaps(testing::ReadFixture("swap/swaps"), &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].device, "/dev/zram0");
  EXPECT_EQ(a[0].type, "partition");
  EXPECT_EQ(a[0].size_kib, 8388604);
  EXPECT_EQ(a[0].used_kib, 76);
  EXPECT_EQ(a[0].priority, 100);
  EXPECT_EQ(a[1].device, "/var/swap\\040file");  // the kernel escapes spaces; kept as printed, as upstream
  EXPECT_EQ(a[1].priority, -2);
}

TEST(SwapParserTest, NoSwapIsNoAreasAndBadLinesAreCounted) {
  std::uint64_t errors = 0;
  EXPECT_TRUE(ParseSwaps("Filename Type Size Used Priority\n", &errors).empty());
  EXPECT_TRUE(ParseSwaps("", &errors).empty());
  EXPECT_EQ(errors, 0u);
  std::vector<SwapArea> a = ParseSwaps(
      "Filename Type Size Used Priority\n/dev/a partition 1 2\n/dev/b partition x 2 3\n\n/dev/c file 4 5 -1\n",
      &errors);
  EXPECT_EQ(errors, 2u);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].device, "/dev/c");
}

TEST(SwapCollectorTest, ExportsKibAsBytesWithDeviceAndType) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("swap", testing::FixtureFs({.procfs = testing::FixturePath("swap")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# HELP node_swap_size_bytes Swap device size in bytes.\n"
                          "# TYPE node_swap_size_bytes gauge\n"
                          "node_swap_size_bytes{device=\"/dev/zram0\",swap_type=\"partition\"} 8.589930496e+09\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_swap_used_bytes{device=\"/dev/zram0\",swap_type=\"partition\"}"),
            76 * 1024);
  EXPECT_EQ(testing::Sample(run.text, "node_swap_priority{device=\"/var/swap\\\\040file\",swap_type=\"file\"}"), -2)
      << run.text;
  EXPECT_NE(run.text.find("# HELP node_swap_priority Swap device priority.\n"), std::string::npos);
}

TEST(SwapCollectorTest, MissingProcSwapsIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("swap", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
