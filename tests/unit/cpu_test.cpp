#include "collectors/cpu.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace hostwatch {
namespace {

TEST(CpuParserTest, ParsesPerCpuLinesInSeconds) {
  std::uint64_t errors = 0;
  std::vector<CpuTimes> cpus = ParseProcStatCpus(
      "cpu  10 20 30 40 50 60 70 80 90 100\n"
      "cpu0 44490 19 21045 1087069 220 1 3410 0 2 1\n"
      "intr 1 2 3\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].cpu, 0);
  EXPECT_DOUBLE_EQ(cpus[0].user, 444.9);
  EXPECT_DOUBLE_EQ(cpus[0].idle, 10870.69);
  EXPECT_DOUBLE_EQ(cpus[0].softirq, 34.1);
  EXPECT_DOUBLE_EQ(cpus[0].guest, 0.02);
  EXPECT_DOUBLE_EQ(cpus[0].guest_nice, 0.01);
}

TEST(CpuParserTest, SkipsAndCountsMalformedCpuLines) {
  std::uint64_t errors = 0;
  std::vector<CpuTimes> cpus = ParseProcStatCpus(testing::ReadFixture("cpu/stat_malformed"), &errors);
  // cpu2 (non-numeric) and cpu3 (too short) are counted; "cpuX" is not a
  // per-CPU line at all and is ignored like "intr".
  EXPECT_EQ(errors, 2u);
  ASSERT_EQ(cpus.size(), 3u);
  EXPECT_EQ(cpus[0].cpu, 0);
  EXPECT_EQ(cpus[1].cpu, 1);
  EXPECT_EQ(cpus[2].cpu, 4);  // an 8-column line has no guest columns
  EXPECT_DOUBLE_EQ(cpus[2].guest, 0);
}

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
  ProcFs fs(FsRoots{testing::FixturePath("cpu/proc"), "/nonexistent", "/nonexistent", "/nonexistent"});
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 10870.69\n"), std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("node_cpu_guest_seconds_total{cpu=\"1\",mode=\"user\"} 0.03\n"), std::string::npos);
  EXPECT_EQ(run.parse_errors, 0u);
}

TEST(CpuCollectorTest, GuestOptionOffRemovesGuestFamily) {
  ProcFs fs(FsRoots{testing::FixturePath("cpu/proc"), "/nonexistent", "/nonexistent", "/nonexistent"});
  CollectorOptions options = CollectorOptions::Defaults();
  ASSERT_TRUE(options.Set("cpu", "guest", "false").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("cpu", fs, options);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.text.find("node_cpu_guest_seconds_total"), std::string::npos);
  EXPECT_NE(run.text.find("node_cpu_seconds_total"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
