#include "collectors/host/btrfs.h"

#include <gtest/gtest.h>

#include <cmath>

#include "collectors/host/btrfs_ioctl.h"
#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

const std::string kFs1 = "uuid=\"b1a2c3d4-0000-4000-8000-000000000001\"";
const std::string kFs2 = "uuid=\"b1a2c3d4-0000-4000-8000-000000000002\"";

TEST(BtrfsParserTest, CommitStats) {
  std::uint64_t errors = 0;
  std::optional<BtrfsCommitStats> s = ParseBtrfsCommitStats(
      "commits 258051\nlast_commit_ms 1000\nmax_commit_ms 51462\ntotal_commit_ms 47836090\nnew_key 3\n", &errors);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->commits, 258051u);
  EXPECT_EQ(s->max_commit_ms, 51462u);
  EXPECT_EQ(s->total_commit_ms, 47836090u);
  EXPECT_EQ(errors, 0u);
  EXPECT_FALSE(ParseBtrfsCommitStats("commits 1\nlast_commit_ms\n", &errors).has_value());
  EXPECT_FALSE(ParseBtrfsCommitStats("commits -1\n", &errors).has_value());
  EXPECT_EQ(errors, 2u);
}

TEST(BtrfsParserTest, LayoutRatiosAndValues) {
  EXPECT_EQ(BtrfsLayoutRatio("single", 1), 1);
  EXPECT_EQ(BtrfsLayoutRatio("dup", 1), 2);
  EXPECT_EQ(BtrfsLayoutRatio("raid1c4", 4), 4);
  EXPECT_DOUBLE_EQ(BtrfsLayoutRatio("raid5", 4), 4.0 / 3);
  EXPECT_EQ(BtrfsLayoutRatio("raid6", 4), 2);
  EXPECT_EQ(BtrfsLayoutRatio("raid7", 4), 0);
  EXPECT_TRUE(std::isinf(BtrfsLayoutRatio("raid5", 1)));  // as procfs: n/(n-1)
  std::uint64_t errors = 0;
  EXPECT_EQ(ParseBtrfsValue(std::string("4096\n"), &errors), 4096u);
  EXPECT_EQ(ParseBtrfsValue(std::nullopt, &errors), 0u);  // missing file
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(ParseBtrfsValue(std::string("lots"), &errors), 0u);
  EXPECT_EQ(errors, 1u);
}

TEST(BtrfsParserTest, UuidStringAsDennwcBtrfs) {
  const std::uint8_t id[16] = {0x0a, 0xbb, 0x23, 0xa9, 0x57, 0x9b, 0x43, 0xe6,
                               0xad, 0x30, 0x22, 0x7e, 0xf4, 0x7f, 0xcb, 0x9d};
  EXPECT_EQ(BtrfsUuidString(id), "0abb23a9-579b-43e6-ad30-227ef47fcb9d");
  const std::uint8_t zero[16] = {};
  EXPECT_EQ(BtrfsUuidString(zero), "<zero>");
}

TEST(BtrfsCollectorTest, ExportsEachFilesystemFromSysfs) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("btrfs/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("btrfs", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_info{label=\"backup\"," + kFs1 + "}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_info{label=\"\"," + kFs2 + "}"), 1);  // uuid from the directory
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_global_rsv_size_bytes{" + kFs1 + "}"), 16777216);
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_max_commit_seconds{" + kFs1 + "}"), 1.5);
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_commit_seconds_total{" + kFs1 + "}"), 2.25);
  // fs2's commit_stats does not parse: its commit series are left out, counted.
  EXPECT_FALSE(testing::Sample(run.text, "node_btrfs_commits_total{" + kFs2 + "}").has_value());
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_used_bytes{block_group_type=\"data\",mode=\"single\"," + kFs1 + "}"),
            536870912);
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_allocation_ratio{block_group_type=\"system\",mode=\"raid1c3\"," +
                                          kFs1 + "}"),
            3);
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_allocation_ratio{block_group_type=\"data\",mode=\"raid5\"," +
                                          kFs2 + "}"),
            1.5);  // 3 devices
  // used_bytes "garbage": 0, counted, as procfs reads it
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_used_bytes{block_group_type=\"system\",mode=\"raid1c3\"," + kFs1 +
                                          "}"),
            0);
  EXPECT_EQ(run.parse_errors, 2u);
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_reserved_bytes{block_group_type=\"metadata\"," + kFs1 + "}"), 4096);
  EXPECT_EQ(testing::Sample(run.text, "node_btrfs_device_size_bytes{device=\"sdb1\"," + kFs1 + "}"), 4194304.0 * 512);
  EXPECT_EQ(run.text.find("features"), std::string::npos);
}

TEST(BtrfsCollectorTest, NoBtrfsModuleIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("btrfs", testing::FixtureFs({}));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

TEST(BtrfsCollectorTest, AFilesystemWithoutItsDevicesDirectoryFailsTheScrape) {
  testing::TempDir dir;
  dir.Write("fs/btrfs/1234-5678/label", "x\n");
  testing::CollectorRun run = testing::RunCollectorOnce("btrfs", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("1234-5678/devices"), std::string::npos) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
