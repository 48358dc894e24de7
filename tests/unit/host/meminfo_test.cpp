#include "collectors/host/meminfo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("meminfo/proc")});
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

// One collector instance scraped again after the file changed must show the
// new content: CachedFile keeps descriptors between scrapes, and a cache that
// served the old bytes (or appended to them) would fail here. The fixture copy
// is on an ordinary filesystem, so this covers a file rewritten in place and
// one replaced by rename, the way tests and config management change files.
TEST(MeminfoCollectorTest, SecondScrapeShowsAChangedFile) {
  testing::TempDir tmp;
  tmp.Write("proc/meminfo", testing::ReadFixture("meminfo/proc/meminfo"));
  ProcFs fs = testing::FixtureFs({.procfs = tmp.path() + "/proc"});
  Result<CollectorPtr> c = FindCollector("meminfo")->make(CollectorContext{fs, DefaultCollectorOptions()});
  ASSERT_TRUE(c.ok());
  auto scrape = [&] {
    MetricSink sink;
    EXPECT_TRUE(c.value()->Collect(sink).ok());
    return SerializeText(sink.TakeFamilies());
  };
  const std::string first = scrape();
  EXPECT_EQ(testing::Sample(first, "node_memory_MemFree_bytes"), 1.024e+09);

  tmp.Write("proc/meminfo", "MemTotal:        8000000 kB\nMemFree:         2000000 kB\n");  // in place
  const std::string second = scrape();
  EXPECT_EQ(testing::Sample(second, "node_memory_MemFree_bytes"), 2.048e+09) << second;
  EXPECT_EQ(testing::Sample(second, "node_memory_MemAvailable_bytes"), std::nullopt) << "a line that went away";

  tmp.Write("proc/meminfo.new", "MemTotal:        8000000 kB\nMemFree:         3000000 kB\n");
  std::filesystem::rename(tmp.path() + "/proc/meminfo.new", tmp.path() + "/proc/meminfo");  // replaced
  const std::string third = scrape();
  EXPECT_EQ(testing::Sample(third, "node_memory_MemFree_bytes"), 3.072e+09) << third;
}

// On the real /proc the descriptor is kept, and each scrape must re-read the
// whole file from its start: the same series again, not nothing (a read from
// the old offset) and not twice.
TEST(MeminfoCollectorTest, KeptDescriptorRereadsTheWholeFile) {
  ProcFs fs;
  if (!fs.ReadProc("meminfo").ok()) {
    GTEST_SKIP() << "no /proc/meminfo here";
  }
  Result<CollectorPtr> c = FindCollector("meminfo")->make(CollectorContext{fs, DefaultCollectorOptions()});
  ASSERT_TRUE(c.ok());
  auto series_names = [&] {
    MetricSink sink;
    EXPECT_TRUE(c.value()->Collect(sink).ok());
    std::vector<std::string> names;
    for (const prometheus::MetricFamily& f : sink.TakeFamilies()) {
      names.push_back(f.name + "/" + std::to_string(f.metric.size()));
    }
    return names;
  };
  std::vector<std::string> first = series_names();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(series_names(), first);
  EXPECT_EQ(series_names(), first);
}

TEST(MeminfoCollectorTest, MissingFileIsNoData) {
  ProcFs fs = testing::FixtureFs({});
  EXPECT_TRUE(testing::RunCollectorOnce("meminfo", fs).status.no_data());
}

}  // namespace
}  // namespace hostwatch
