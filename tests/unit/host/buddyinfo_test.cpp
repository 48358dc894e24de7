#include "collectors/host/buddyinfo.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(BuddyinfoParserTest, ReadsNodeZoneAndOneCountPerOrder) {
  std::uint64_t errors = 0;
  std::vector<BuddyZone> zones = ParseBuddyinfo("Node 0, zone      DMA      1      0      3 \n"
                                                "Node 1, zone   Normal   4381   1093    185\n",
                                                &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[0].node, "0");
  EXPECT_EQ(zones[0].zone, "DMA");
  EXPECT_EQ(zones[0].sizes, (std::vector<double>{1, 0, 3}));
  EXPECT_EQ(zones[1].node, "1");
  EXPECT_EQ(zones[1].zone, "Normal");
  EXPECT_EQ(zones[1].sizes[0], 4381);
}

TEST(BuddyinfoParserTest, ShortLinesGarbageAndColumnMismatchAreCountedAndSkipped) {
  std::uint64_t errors = 0;
  std::vector<BuddyZone> zones = ParseBuddyinfo("Node 0, zone\n"
                                                "Node 0, zone DMA 1 2 3\n"
                                                "Node 0, zone DMA32 1 x 3\n"
                                                "Node 0, zone Normal 1 2\n"
                                                "\n"
                                                "Node 0, zone Movable 4 5 6\n",
                                                &errors);
  EXPECT_EQ(errors, 3u);
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[1].zone, "Movable");
}

TEST(BuddyinfoCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("buddyinfo/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("buddyinfo", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_buddyinfo_blocks{node=\"0\",size=\"10\",zone=\"DMA\"}"), 3);
  EXPECT_EQ(testing::Sample(run.text, "node_buddyinfo_blocks{node=\"0\",size=\"0\",zone=\"DMA32\"}"), 759);
  EXPECT_EQ(testing::Sample(run.text, "node_buddyinfo_blocks{node=\"1\",size=\"3\",zone=\"Normal\"}"), 1530);
}

TEST(BuddyinfoCollectorTest, MissingFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("buddyinfo", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
