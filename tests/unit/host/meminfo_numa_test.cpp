#include "collectors/host/meminfo_numa.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(MeminfoNumaParserTest, MeminfoLinesBecomeGaugesInBytes) {
  std::uint64_t errors = 0;
  std::vector<NumaMemoryField> f = ParseNodeMeminfo(
      "Node 2 MemTotal:       16329828 kB\n"
      "Node 2 Active(anon):     691456 kB\n"
      "Node 2 HugePages_Total:     3\n"
      "\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].node, "2");
  EXPECT_EQ(f[0].name, "MemTotal");
  EXPECT_EQ(f[0].value, 16329828.0 * 1024);
  EXPECT_FALSE(f[0].counter);
  EXPECT_EQ(f[1].name, "Active_anon");
  EXPECT_EQ(f[2].name, "HugePages_Total");
  EXPECT_EQ(f[2].value, 3);
}

TEST(MeminfoNumaParserTest, MalformedMeminfoLinesAreSkippedAndCounted) {
  const char* bad[] = {
      "Node 0 Short\n",            // fewer than 4 words (upstream indexes past the end)
      "Node 0 MemFree: x kB\n",    // not a number
      "Node 0 MemFree: 12 MB\n",   // unknown unit
      "Node 0 MemFree: 1 kB x\n",  // too many words
      "Node 0 Bad-Name: 5 kB\n",   // not a metric name
  };
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    EXPECT_TRUE(ParseNodeMeminfo(line, &errors).empty()) << line;
    EXPECT_EQ(errors, 1u) << line;
  }
}

TEST(MeminfoNumaParserTest, NumastatLinesBecomeCountersOfTheGivenNode) {
  std::uint64_t errors = 0;
  std::vector<NumaMemoryField> f =
      ParseNumastat("numa_hit 193460335812\nnuma_miss 1 2\nother_node x\nlocal_node 7\n", "3", &errors);
  EXPECT_EQ(errors, 2u);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].node, "3");
  EXPECT_EQ(f[0].name, "numa_hit_total");
  EXPECT_EQ(f[0].value, 193460335812.0);
  EXPECT_TRUE(f[0].counter);
  EXPECT_EQ(f[1].name, "local_node_total");
}

TEST(MeminfoNumaCollectorTest, ExportsEveryNodeFromFixture) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("meminfo_numa/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("meminfo_numa", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_memory_numa_MemTotal{node=\"0\"}"), 16329828.0 * 1024);
  EXPECT_EQ(testing::Sample(run.text, "node_memory_numa_Active_anon{node=\"1\"}"), 12.0 * 1024);
  EXPECT_EQ(testing::Sample(run.text, "node_memory_numa_HugePages_Total{node=\"1\"}"), 4);
  EXPECT_EQ(testing::Sample(run.text, "node_memory_numa_numa_hit_total{node=\"1\"}"), 326720946761.0);
  EXPECT_EQ(testing::Sample(run.text, "node_memory_numa_numa_miss_total{node=\"1\"}"), std::nullopt);
  EXPECT_NE(run.text.find("# HELP node_memory_numa_numa_hit_total Memory information field numa_hit_total.\n"
                          "# TYPE node_memory_numa_numa_hit_total counter\n"),
            std::string::npos);
  EXPECT_NE(run.text.find("# TYPE node_memory_numa_MemFree gauge\n"), std::string::npos);
  // node1: "Broken", "Weird: 12 MB", "Bad-Name" in meminfo and a three-word numastat line.
  EXPECT_EQ(run.parse_errors, 4u);
}

TEST(MeminfoNumaCollectorTest, NoNodeDirectoryIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("meminfo_numa", testing::FixtureFs({})).status.no_data());
  testing::TempDir tmp;
  tmp.Write("devices/system/node/possible", "0\n");
  EXPECT_TRUE(testing::RunCollectorOnce("meminfo_numa", testing::FixtureFs({.sysfs = tmp.path()})).status.no_data());
}

TEST(MeminfoNumaCollectorTest, NodeWithoutNumastatFailsNamingIt) {
  testing::TempDir tmp;
  tmp.Write("devices/system/node/node0/meminfo", "Node 0 MemTotal: 1 kB\n");
  testing::CollectorRun run = testing::RunCollectorOnce("meminfo_numa", testing::FixtureFs({.sysfs = tmp.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("node0/numastat"), std::string::npos) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
