#include "collectors/host/cpu.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(CpuCounterGuardTest, CountersNeverGoBackwards) {
  CpuCounterGuard guard;
  CpuTimes t;
  t.cpu = 0;
  t.user = 100;
  t.idle = 1000;
  guard.Update({t});
  CpuTimes lower = t;
  lower.user = 90;  // kernel counter went backwards (e.g. iowait jitter)
  lower.idle = 999;
  std::vector<CpuTimes> out = guard.Update({lower});
  EXPECT_DOUBLE_EQ(out[0].user, 100);
  EXPECT_DOUBLE_EQ(out[0].idle, 1000);
}

TEST(CpuCounterGuardTest, LargeIdleDropResetsAfterHotplug) {
  CpuCounterGuard guard;
  CpuTimes t;
  t.cpu = 1;
  t.user = 100;
  t.idle = 1000;
  guard.Update({t});
  CpuTimes replugged;
  replugged.cpu = 1;
  replugged.user = 1;
  replugged.idle = 5;
  std::vector<CpuTimes> out = guard.Update({replugged});
  EXPECT_DOUBLE_EQ(out[0].user, 1);
  EXPECT_DOUBLE_EQ(out[0].idle, 5);
}

TEST(CpuCollectorTest, ExportsSecondsAndGuestFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("cpu/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"), 10870.69) << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_cpu_guest_seconds_total{cpu=\"1\",mode=\"user\"}"), 0.03);
  EXPECT_EQ(run.parse_errors, 0u);
}

TEST(CpuCollectorTest, GuestOptionOffRemovesGuestFamily) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("cpu/proc")});
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("cpu", "guest", "false").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", fs, options);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.text.find("node_cpu_guest_seconds_total"), std::string::npos);
  EXPECT_NE(run.text.find("node_cpu_seconds_total"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch

namespace hostwatch {
namespace {

TEST(CpuListParserTest, ParsesRangesAndSingles) {
  Result<std::vector<int>> r = ParseCpuList("1,3-5,9\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value(), (std::vector<int>{1, 3, 4, 5, 9}));
  ASSERT_TRUE(ParseCpuList("").ok());
  EXPECT_TRUE(ParseCpuList("").value().empty());
}

TEST(CpuListParserTest, RejectsMalformedLists) {
  for (const char* bad : {"a", "1-", "5-3", "1,,2", "-1", "0-99999999"}) {
    EXPECT_FALSE(ParseCpuList(bad).ok()) << bad;
  }
}

TEST(CpuThrottleTest, FirstCpuOfACoreOrPackageWins) {
  std::vector<CpuThrottleInfo> cpus = {
      {0, 0, 5, 30},   // cpu0
      {0, 0, 99, 99},  // cpu1: hyper-thread sibling of cpu0, ignored
      {1, 3, 7, std::nullopt},
      {1, 4, std::nullopt, 6},
  };
  ThrottleCounts c = AggregateThrottles(cpus);
  EXPECT_EQ(c.core.size(), 2u);
  EXPECT_EQ((c.core[{0, 0}]), 5u);
  EXPECT_EQ((c.core[{1, 3}]), 7u);
  EXPECT_EQ(c.package.size(), 2u);
  EXPECT_EQ(c.package[0], 30u);
  EXPECT_EQ(c.package[1], 6u);
}

TEST(CpuCollectorTest, ExportsSysfsFamiliesFromFixture) {
  ProcFs fs = testing::FixtureFs(
      {.procfs = testing::FixturePath("cpu_sysfs/proc"), .sysfs = testing::FixturePath("cpu_sysfs/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# HELP node_cpu_core_throttles_total Number of times this CPU core has been throttled.\n"
                          "# TYPE node_cpu_core_throttles_total counter\n"
                          "node_cpu_core_throttles_total{core=\"0\",package=\"0\"} 5\n"
                          "node_cpu_core_throttles_total{core=\"3\",package=\"1\"} 7\n"),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("# TYPE node_cpu_isolated gauge\nnode_cpu_isolated{cpu=\"1\"} 1\n"
                          "node_cpu_isolated{cpu=\"2\"} 1\n"),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("# HELP node_cpu_online CPUs that are online and being scheduled.\n"
                          "# TYPE node_cpu_online gauge\nnode_cpu_online{cpu=\"0\"} 1\nnode_cpu_online{cpu=\"1\"} 1\n"
                          "node_cpu_online{cpu=\"3\"} 0\n"),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("# TYPE node_cpu_package_throttles_total counter\n"
                          "node_cpu_package_throttles_total{package=\"0\"} 30\n"
                          "node_cpu_package_throttles_total{package=\"1\"} 6\n"),
            std::string::npos)
      << run.text;
}

TEST(CpuCollectorTest, WithoutSysfsOnlyProcStatFamilies) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("cpu_sysfs/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_cpu_seconds_total"), std::string::npos);
  EXPECT_EQ(run.text.find("throttles"), std::string::npos);
  EXPECT_EQ(run.text.find("node_cpu_online"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch

namespace hostwatch {
namespace {

ProcFs CpuSysfsFixture() {
  return testing::FixtureFs(
      {.procfs = testing::FixturePath("cpu_sysfs/proc"), .sysfs = testing::FixturePath("cpu_sysfs/sys")});
}

TEST(CpuinfoParserTest, ParsesProcessorBlocksAndCountsBadLines) {
  std::uint64_t errors = 0;
  std::vector<CpuInfoEntry> cpus = ParseCpuinfo(testing::ReadFixture("cpu_sysfs/proc/cpuinfo"), &errors);
  EXPECT_EQ(errors, 2u);  // "cpu MHz : fast" and the line without a colon
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].processor, 0);
  EXPECT_EQ(cpus[0].vendor, "GenuineIntel");
  EXPECT_EQ(cpus[0].model_name, "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
  EXPECT_EQ(cpus[0].cache_size, "8192 KB");
  EXPECT_EQ(cpus[0].mhz, 799.998);
  EXPECT_EQ(cpus[0].flags, (std::vector<std::string>{"fpu", "sse", "aes", "avx", "avx2", "constant_tsc"}));
  EXPECT_EQ(cpus[1].core_id, "1");
  EXPECT_FALSE(cpus[1].mhz.has_value());
}

TEST(CpuCollectorTest, InfoIsOffByDefault) {
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", CpuSysfsFixture());
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.text.find("node_cpu_info"), std::string::npos);
}

TEST(CpuCollectorTest, InfoOptionExportsCpuinfoFamilies) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("cpu", "info.flags-include", "^(aes|avx.?)$").ok());  // implies info
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", CpuSysfsFixture(), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# TYPE node_cpu_flag_info gauge\nnode_cpu_flag_info{flag=\"aes\"} 1\n"
                          "node_cpu_flag_info{flag=\"avx\"} 1\nnode_cpu_flag_info{flag=\"avx2\"} 1\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(run.text.find("node_cpu_bug_info"), std::string::npos);  // no bugs filter: no bug family
  EXPECT_NE(run.text.find("# HELP node_cpu_frequency_hertz CPU frequency in hertz from /proc/cpuinfo.\n"
                          "# TYPE node_cpu_frequency_hertz gauge\n"
                          "node_cpu_frequency_hertz{core=\"0\",cpu=\"0\",package=\"0\"} 7.99998e+08\n# HELP"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text,
                            "node_cpu_info{cachesize=\"8192 KB\",core=\"1\",cpu=\"1\",family=\"6\",microcode=\"0xb4\","
                            "model=\"142\",model_name=\"Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz\",package=\"0\","
                            "stepping=\"10\",vendor=\"GenuineIntel\"}"),
            1)
      << run.text;
}

TEST(CpuCollectorTest, BadIncludeRegexIsRejectedWhenSet) {
  CollectorOptions options = DefaultCollectorOptions();
  // Options are validated as RE2 when set (flags and config), so a bad filter never reaches the collector.
  Status s = options.Set("cpu", "info.bugs-include", "(");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace hostwatch
