#include "collectors/host/bcache.h"

#include <gtest/gtest.h>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

constexpr const char* kSet = "uuid=\"deaddd54-c735-46d5-868e-f331c5fd7c74\"";

std::string Series(const std::string& name, const std::string& extra = "") {
  return name + "{" + (extra.empty() ? "" : extra + ",") + kSet + "}";
}

TEST(BcacheParserTest, DehumanizeReadsBchHprintLikeProcfs) {
  EXPECT_EQ(BcacheDehumanize("546"), 546u);
  EXPECT_EQ(BcacheDehumanize("1.1M"), 1150976u);       // (1 + 1/10.24) MiB
  EXPECT_EQ(BcacheDehumanize("20.4G"), 21894266880u);  // (20 + 4/10.24) GiB
  EXPECT_EQ(BcacheDehumanize("1.5k"), 1524u);
  EXPECT_EQ(BcacheDehumanizeSigned("-427.5k"), -437748);
  EXPECT_FALSE(BcacheDehumanize("").has_value());
  EXPECT_FALSE(BcacheDehumanize("1.5q").has_value());
  EXPECT_FALSE(BcacheDehumanize("-5").has_value());
  EXPECT_FALSE(BcacheDehumanize("k").has_value());
}

TEST(BcacheParserTest, WritebackRateDebugAndPriorityStats) {
  std::uint64_t errors = 0;
  std::optional<BcacheWritebackRate> w = ParseBcacheWritebackRateDebug(
      "rate:\t\t1.1M/sec\ndirty:\t\t20.4G\ntarget:\t\t20.4G\nproportional:\t427.5k\nintegral:\t790.0k\n"
      "change:\t\t-321.5k/sec\nnext io:\t17ms\n",
      &errors);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->rate, 1150976u);
  EXPECT_EQ(w->target, 21894266880u);
  EXPECT_EQ(w->proportional, 437748);
  EXPECT_EQ(w->integral, 808960);
  EXPECT_EQ(w->change, -329204);
  EXPECT_FALSE(ParseBcacheWritebackRateDebug("rate: fast/sec\n", &errors).has_value());
  EXPECT_EQ(errors, 1u);

  std::optional<BcachePriorityStats> p =
      ParseBcachePriorityStats("Unused:\t\t99%\nMetadata:\t0%\nAverage:\t1\n", &errors);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->unused_percent, 99u);
  EXPECT_FALSE(ParseBcachePriorityStats("Unused: many%\n", &errors).has_value());
  EXPECT_EQ(errors, 2u);
}

TEST(BcacheCollectorTest, ExportsSetBackingAndCacheDevices) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("bcache/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("bcache", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_btree_cache_size_bytes")), 1524);
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_congested")), 0);  // missing file: 0
  EXPECT_NE(run.text.find(Series("node_bcache_btree_read_average_duration_seconds") + " 1.305e-06\n"),
            std::string::npos)
      << run.text;
  const std::string bdev0 = "backing_device=\"bdev0\"";
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_dirty_data_bytes", bdev0)), 21894266880.0);
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_writeback_rate_proportional_term", bdev0)), -437748);
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_bypassed_bytes_total", bdev0)), 1048576);
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_cache_readaheads_total", bdev0)), 13);
  // a zero readahead count is left out, as node_exporter does
  EXPECT_FALSE(
      testing::Sample(run.text, Series("node_bcache_cache_readaheads_total", "backing_device=\"bdev1\"")).has_value());
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_writeback_rate", "backing_device=\"bdev1\"")), 4096);
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_io_errors", "cache_device=\"cache0\"")), 7);
  // priority_stats only with --collector.bcache.priorityStats
  EXPECT_EQ(run.text.find("node_bcache_priority_stats"), std::string::npos);
}

TEST(BcacheCollectorTest, PriorityStatsWithTheFlag) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("bcache", "priorityStats", "true").ok());
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("bcache/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("bcache", fs, options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_priority_stats_unused_percent", "cache_device=\"cache0\"")),
            99);
  EXPECT_EQ(testing::Sample(run.text, Series("node_bcache_priority_stats_metadata_percent", "cache_device=\"cache0\"")),
            1);
}

TEST(BcacheCollectorTest, NoBcacheIsNoDataAndAMissingWritebackDebugFails) {
  EXPECT_TRUE(testing::RunCollectorOnce("bcache", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("fs/bcache/aaaa-bbbb/bdev0/dirty_data", "0\n");
  testing::CollectorRun run = testing::RunCollectorOnce("bcache", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.text, "");
}

TEST(BcacheCollectorTest, AGarbageValueDropsItsSetAndIsCounted) {
  testing::TempDir dir;
  dir.Write("fs/bcache/aaaa-bbbb/tree_depth", "deep\n");
  dir.Write("fs/bcache/cccc-dddd/tree_depth", "3\n");
  testing::CollectorRun run = testing::RunCollectorOnce("bcache", testing::FixtureFs({.sysfs = dir.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_EQ(testing::Sample(run.text, "node_bcache_tree_depth{uuid=\"cccc-dddd\"}"), 3);
  EXPECT_EQ(run.text.find("aaaa-bbbb"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
