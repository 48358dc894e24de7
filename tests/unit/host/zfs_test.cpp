#include "collectors/host/zfs.h"

#include <gtest/gtest.h>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ZfsParserTest, KstatRowsAfterTheHeader) {
  std::uint64_t errors = 0;
  std::optional<std::vector<KstatRow>> rows =
      ParseKstat("6 1 0x01 3 144 5 6\nname type data\nhits 4 87\nneed_free 3 -42\nbad 4 -1\n"
                 "dataset_name 7 pool/a  b\nshort 4\n",
                 &errors);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].name, "hits");
  EXPECT_EQ((*rows)[0].value, 87);
  EXPECT_EQ((*rows)[1].value, -42);
  EXPECT_EQ((*rows)[2].type, 7);
  EXPECT_EQ((*rows)[2].data, "pool/a  b");  // a string keeps its inner spaces
  EXPECT_EQ(errors, 1u);                    // "bad": a uint64 row with "-1"
  EXPECT_FALSE(ParseKstat("6 1 0x01\nhits 4 87\n", &errors).has_value());
  EXPECT_EQ(errors, 2u);
}

TEST(ZfsParserTest, PoolIoAndState) {
  std::uint64_t errors = 0;
  auto io = ParseZfsPoolIo(
      "12 3 0x00 1 80 1 2\nnread nwritten reads writes wtime wlentime wupdate rtime rlentime rupdate wcnt rcnt\n"
      "1 2 3 4 5 6 7 8 9 10 11 12\n1 2\n",
      &errors);
  ASSERT_EQ(io.size(), 12u);
  EXPECT_EQ(io[0], (std::pair<std::string, std::uint64_t>{"nread", 1}));
  EXPECT_EQ(io[11], (std::pair<std::string, std::uint64_t>{"rcnt", 12}));
  EXPECT_EQ(errors, 1u);  // "1 2": fewer values than names
  EXPECT_TRUE(ParseZfsPoolIo("nread nwritten\n1 2\n", &errors).empty());  // not an io kstat
  EXPECT_EQ(ParseZfsPoolState("DEGRADED\n"), "degraded");
  EXPECT_EQ(ParseZfsPoolState(""), "");
  EXPECT_EQ(ZfsMetricName("evict_l2-eligible"), "evict_l2_eligible");
}

TEST(ZfsCollectorTest, ExportsKstatsAndPools) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("zfs/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("zfs", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# HELP node_zfs_arc_hits kstat.zfs.misc.arcstats.hits\n# TYPE node_zfs_arc_hits untyped\n"
                          "node_zfs_arc_hits 8.772612e+06\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_zfs_arc_arc_need_free"), -42);
  EXPECT_EQ(testing::Sample(run.text, "node_zfs_arc_evict_l2_eligible"), 315);
  EXPECT_EQ(run.text.find("some_string"), std::string::npos);
  EXPECT_EQ(run.text.find("memory_throttle_count"), std::string::npos);
  EXPECT_EQ(run.text.find("node_zfs_fm"), std::string::npos);  // no "name type data" table
  EXPECT_EQ(testing::Sample(run.text, "node_zfs_zpool_nwritten{zpool=\"tank\"}"), 3206144);
  EXPECT_EQ(testing::Sample(run.text, "node_zfs_zpool_dataset_nwritten{dataset=\"tank/home  with spaces\",zpool=\"tank\"}"),
            12302);
  EXPECT_EQ(testing::Sample(run.text, "node_zfs_zpool_state{state=\"degraded\",zpool=\"tank\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_zfs_zpool_state{state=\"online\",zpool=\"tank\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_zfs_zpool_state{state=\"suspended\",zpool=\"empty_pool\"}"), 1);
  // arcstats' memory_throttle_count, objset's "bad", fm's missing table
  EXPECT_EQ(run.parse_errors, 3u);
}

TEST(ZfsCollectorTest, NoZfsModuleIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("zfs", testing::FixtureFs({}));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

TEST(ZfsCollectorTest, AKstatThatCannotBeReadFailsTheScrape) {
  testing::TempDir dir;
  dir.Write("spl/kstat/zfs/arcstats/x", "");  // a directory where the file should be: EISDIR
  testing::CollectorRun run = testing::RunCollectorOnce("zfs", testing::FixtureFs({.procfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("arcstats"), std::string::npos) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
