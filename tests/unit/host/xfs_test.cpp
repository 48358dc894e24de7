#include "collectors/host/xfs.h"

#include <gtest/gtest.h>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(XfsParserTest, KeepsExportedLinesWithTheirValues) {
  std::uint64_t errors = 0;
  XfsStats s = ParseXfsStats("extent_alloc 1 872 0 0\nrw 28 3\nvnodes 4 0 0 0 1 1 1\nxpc 3571712 3568056 0\n"
                             "push_ail 44 0 1102 15 0 2 0 2 0 2\n",
                             &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(s.at("extent_alloc"), (std::vector<std::uint32_t>{1, 872, 0, 0}));
  EXPECT_EQ(s.at("rw"), (std::vector<std::uint32_t>{28, 3}));
  EXPECT_EQ(s.at("vnodes").size(), 7u);  // older kernels: no "free" column
  EXPECT_FALSE(s.contains("xpc"));       // not exported by node_exporter
  EXPECT_FALSE(s.contains("push_ail"));
  EXPECT_EQ(ParseXfsStats("vnodes 1 2 3 4 5 6 7 8\n", &errors).at("vnodes").size(), 8u);
}

TEST(XfsParserTest, BadLinesAreCountedAndLeftOut) {
  std::uint64_t errors = 0;
  XfsStats s = ParseXfsStats("abt 1 2 3\nrw x 1\nig 4294967296 0 0 0 0 0 0\nbmbt 1 2 3 4\nunknown a b\nabt\n", &errors);
  EXPECT_EQ(errors, 3u);  // wrong count, not a number, over uint32
  EXPECT_EQ(s.size(), 1u);
  EXPECT_TRUE(s.contains("bmbt"));
}

TEST(XfsCollectorTest, ExportsEachFilesystem) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("xfs/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("xfs", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_xfs_extent_allocation_blocks_allocated_total{device=\"sda1\"}"), 872);
  // The kernel prints "rw <write calls> <read calls>".
  EXPECT_EQ(testing::Sample(run.text, "node_xfs_write_calls_total{device=\"sda1\"}"), 28);
  EXPECT_EQ(testing::Sample(run.text, "node_xfs_read_calls_total{device=\"sda1\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_xfs_vnode_remove_total{device=\"sda1\"}"), 1);
  // sdb2's bad lines (abt, rw, ig) are left out; its good ones are there.
  EXPECT_EQ(run.parse_errors, 3u);
  EXPECT_EQ(testing::Sample(run.text, "node_xfs_block_map_btree_lookups_total{device=\"sdb2\"}"), 9);
  EXPECT_FALSE(testing::Sample(run.text, "node_xfs_allocation_btree_lookups_total{device=\"sdb2\"}").has_value());
  // /sys/fs/xfs/stats/stats holds the global sums, not a filesystem.
  EXPECT_EQ(run.text.find("device=\"stats\""), std::string::npos) << run.text;
}

TEST(XfsCollectorTest, NoXfsModuleIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("xfs", testing::FixtureFs({}));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_TRUE(run.text.empty());
}

TEST(XfsCollectorTest, AStatsFileThatCannotBeReadFailsTheScrape) {
  testing::TempDir dir;
  dir.Write("fs/xfs/sda1/stats/stats/x", "");  // a directory where the file should be: EISDIR
  testing::CollectorRun run = testing::RunCollectorOnce("xfs", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("sda1/stats/stats"), std::string::npos) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
