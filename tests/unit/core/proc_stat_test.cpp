#include "collectors/core/proc_stat.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ProcStatCpuTest, ParsesPerCpuLinesInSeconds) {
  ProcStat stat = ParseProcStat(
      "cpu  10 20 30 40 50 60 70 80 90 100\n"
      "cpu0 44490 19 21045 1087069 220 1 3410 0 2 1\n"
      "intr 1 2 3\n");
  EXPECT_EQ(stat.cpu_parse_errors, 0u);
  const std::vector<CpuTimes>& cpus = stat.cpus;
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].cpu, 0);
  EXPECT_DOUBLE_EQ(cpus[0].user, 444.9);
  EXPECT_DOUBLE_EQ(cpus[0].idle, 10870.69);
  EXPECT_DOUBLE_EQ(cpus[0].softirq, 34.1);
  EXPECT_DOUBLE_EQ(cpus[0].guest, 0.02);
  EXPECT_DOUBLE_EQ(cpus[0].guest_nice, 0.01);
}

TEST(ProcStatCpuTest, SkipsAndCountsMalformedCpuLines) {
  ProcStat stat = ParseProcStat(testing::ReadFixture("cpu/stat_malformed"));
  const std::vector<CpuTimes>& cpus = stat.cpus;
  // cpu2 (non-numeric) and cpu3 (too short) are counted; "cpuX" is not a
  // per-CPU line at all and is ignored like "intr".
  EXPECT_EQ(stat.cpu_parse_errors, 2u);
  EXPECT_EQ(stat.totals_parse_errors, 0u);  // a bad cpu line is the cpu part's error only
  ASSERT_EQ(cpus.size(), 3u);
  EXPECT_EQ(cpus[0].cpu, 0);
  EXPECT_EQ(cpus[1].cpu, 1);
  EXPECT_EQ(cpus[2].cpu, 4);  // an 8-column line has no guest columns
  EXPECT_DOUBLE_EQ(cpus[2].guest, 0);
}

TEST(ProcStatTotalsTest, ParsesKernelCounters) {
  ProcStat stat = ParseProcStat(
      "cpu  1 2 3 4\nintr 8885917 17 0\nctxt 38014093\nbtime 1418183276\nprocesses 26442\n"
      "procs_running 2\nprocs_blocked 0\nsoftirq 5057579 250191 1481983 1647 211099 186066 0 1783454 622196 "
      "12499 508444\n");
  EXPECT_EQ(stat.totals_parse_errors, 0u);
  const ProcStatTotals& t = stat.totals;
  EXPECT_EQ(t.interrupts, 8885917);
  EXPECT_EQ(t.context_switches, 38014093);
  EXPECT_EQ(t.boot_time, 1418183276);
  EXPECT_EQ(t.forks, 26442);
  EXPECT_EQ(t.procs_running, 2);
  EXPECT_EQ(t.procs_blocked, 0);
  ASSERT_EQ(t.softirqs.size(), 10u);
  EXPECT_EQ(t.softirqs[0], 250191);  // hi; the leading total is not a vector
  EXPECT_EQ(t.softirqs[9], 508444);  // rcu
}

TEST(ProcStatTotalsTest, SkipsAndCountsMalformedLines) {
  ProcStat stat = ParseProcStat(testing::ReadFixture("stat_malformed/proc/stat"));
  EXPECT_EQ(stat.totals_parse_errors, 3u);  // "intr" without a value, "ctxt notanumber", "softirq ... x"
  const ProcStatTotals& t = stat.totals;
  EXPECT_FALSE(t.interrupts.has_value());
  EXPECT_FALSE(t.context_switches.has_value());
  EXPECT_TRUE(t.softirqs.empty());
  EXPECT_EQ(t.boot_time, 1700000000);
}

TEST(ProcStatTest, OneParseServesEveryPart) {
  ProcStat stat = ParseProcStat(testing::ReadFixture("cpu/stat_malformed"));
  EXPECT_EQ(stat.cpus.size(), 3u);
  EXPECT_EQ(stat.totals.interrupts, 8885917);
  EXPECT_EQ(stat.totals.context_switches, 38014093);
  EXPECT_EQ(stat.totals.boot_time, 1418183276);
}

// Each collector asks for its own part; the other part's lines, malformed
// ones included, are neither parsed nor counted.
TEST(ProcStatTest, APartLeavesTheOtherOut) {
  const std::string text =
      "cpu0 44490 19 21045 1087069 220 1 3410 0\n"
      "cpu1 bad\n"
      "ctxt 38014093\n"
      "processes bad\n";
  ProcStat cpus = ParseProcStat(text, ProcStatParts::kCpus);
  EXPECT_EQ(cpus.cpus.size(), 1u);
  EXPECT_EQ(cpus.cpu_parse_errors, 1u);
  EXPECT_EQ(cpus.totals.context_switches, std::nullopt);
  EXPECT_EQ(cpus.totals_parse_errors, 0u);
  ProcStat totals = ParseProcStat(text, ProcStatParts::kTotals);
  EXPECT_TRUE(totals.cpus.empty());
  EXPECT_EQ(totals.cpu_parse_errors, 0u);
  EXPECT_EQ(totals.totals.context_switches, 38014093);
  EXPECT_EQ(totals.totals_parse_errors, 1u);
}

TEST(ProcStatTest, EmptyTextHasNothing) {
  ProcStat stat = ParseProcStat("");
  EXPECT_TRUE(stat.cpus.empty());
  EXPECT_FALSE(stat.totals.boot_time.has_value());
  EXPECT_EQ(stat.cpu_parse_errors + stat.totals_parse_errors, 0u);
}

TEST(ProcStatTest, UnknownLinesAreIgnored) {
  ProcStat stat = ParseProcStat("page 5741 1808\nswap 1 0\ncpuX 1 2 3\nbtime_extra x\nbtime 7\n");
  EXPECT_EQ(stat.cpu_parse_errors + stat.totals_parse_errors, 0u);
  EXPECT_EQ(stat.totals.boot_time, 7);
}

}  // namespace
}  // namespace hostwatch
