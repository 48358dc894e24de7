#include "collectors/host/meminfo.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(MeminfoParserTest, ConvertsKilobytesAndRenamesParenthesizedKeys) {
  std::uint64_t errors = 0;
  std::vector<MeminfoField> f =
      ParseMeminfo("MemTotal:        3742148 kB\nActive(anon):    2020004 kB\nHugePages_Total:       0\n", &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].name, "MemTotal_bytes");
  EXPECT_DOUBLE_EQ(f[0].value, 3742148.0 * 1024);
  EXPECT_EQ(f[1].name, "Active_anon_bytes");
  EXPECT_EQ(f[2].name, "HugePages_Total");  // unitless: no _bytes, no scaling
  EXPECT_DOUBLE_EQ(f[2].value, 0);
}

TEST(MeminfoParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {"no colon here 12 kB\n", "Cached: nonsense kB\n", "Odd: 12 MB\n", ": 12 kB\n",
                       "Extra: 1 kB more\n"};
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    EXPECT_TRUE(ParseMeminfo(line, &errors).empty()) << line;
    EXPECT_EQ(errors, 1u) << line;
  }
}

TEST(MeminfoCollectorTest, ExportsFixtureWithNodeExporterNamesAndHelp) {
  ProcFs fs(FsRoots{testing::FixturePath("meminfo/proc"), "/nonexistent", "/nonexistent", "/nonexistent"});
  testing::CollectorRun run = testing::RunCollectorOnce("meminfo", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 2u);
  EXPECT_EQ(run.text,
            "# HELP node_memory_Active_anon_bytes Memory information field Active_anon_bytes.\n"
            "# TYPE node_memory_Active_anon_bytes gauge\nnode_memory_Active_anon_bytes 2.048e+08\n"
            "# HELP node_memory_HugePages_Total Memory information field HugePages_Total.\n"
            "# TYPE node_memory_HugePages_Total gauge\nnode_memory_HugePages_Total 4\n"
            "# HELP node_memory_Hugepagesize_bytes Memory information field Hugepagesize_bytes.\n"
            "# TYPE node_memory_Hugepagesize_bytes gauge\nnode_memory_Hugepagesize_bytes 2.097152e+06\n"
            "# HELP node_memory_Inactive_file_bytes Memory information field Inactive_file_bytes.\n"
            "# TYPE node_memory_Inactive_file_bytes gauge\nnode_memory_Inactive_file_bytes 3.072e+08\n"
            "# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.\n"
            "# TYPE node_memory_MemAvailable_bytes gauge\nnode_memory_MemAvailable_bytes 6.144e+09\n"
            "# HELP node_memory_MemFree_bytes Memory information field MemFree_bytes.\n"
            "# TYPE node_memory_MemFree_bytes gauge\nnode_memory_MemFree_bytes 1.024e+09\n"
            "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
            "# TYPE node_memory_MemTotal_bytes gauge\nnode_memory_MemTotal_bytes 8.192e+09\n");
}

TEST(MeminfoCollectorTest, SecondScrapeGivesSameOutput) {
  // Descriptors are cached across scrapes; the second run must not duplicate or lose families.
  ProcFs fs(FsRoots{testing::FixturePath("meminfo/proc"), "/nonexistent", "/nonexistent", "/nonexistent"});
  Result<CollectorPtr> c = FindCollector("meminfo")->make(CollectorContext{fs, DefaultCollectorOptions()});
  ASSERT_TRUE(c.ok());
  MetricSink first, second;
  ASSERT_TRUE(c.value()->Collect(first).ok());
  ASSERT_TRUE(c.value()->Collect(second).ok());
  EXPECT_EQ(SerializeText(first.TakeFamilies()), SerializeText(second.TakeFamilies()));
}

TEST(MeminfoCollectorTest, MissingFileIsNoData) {
  ProcFs fs(FsRoots{"/nonexistent-proc", "/nonexistent", "/nonexistent", "/nonexistent"});
  EXPECT_TRUE(testing::RunCollectorOnce("meminfo", fs).status.no_data());
}

}  // namespace
}  // namespace hostwatch
