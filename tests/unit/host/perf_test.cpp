#include "collectors/host/perf.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <set>
#include <utility>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::vector<int> Cpus(std::string_view flag) {
  Result<std::vector<int>> r = ParsePerfCpus(flag);
  EXPECT_TRUE(r.ok()) << flag << ": " << r.status().message();
  return r.ok() ? r.value() : std::vector<int>{};
}

TEST(PerfFlagsTest, CpusTakeListsRangesAndStridesAsNodeExporter) {
  EXPECT_EQ(Cpus("0"), (std::vector<int>{0}));
  EXPECT_EQ(Cpus("0,2-4"), (std::vector<int>{0, 2, 3, 4}));
  EXPECT_EQ(Cpus("1-10:5"), (std::vector<int>{1, 6}));
  EXPECT_EQ(Cpus("3,1"), (std::vector<int>{3, 1}));
  std::vector<int> all = Cpus("");  // every CPU this process may run on, numbered from 0
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front(), 0);
  EXPECT_EQ(all.back(), static_cast<int>(all.size()) - 1);
}

TEST(PerfFlagsTest, MalformedCpuListsAreRefusedWithTheirPart) {
  for (const char* bad : {"a", "1-", "-1", "4-2", "1-3:0", "1:2", "1-2-3", "1,,2", "1-3:x", "99999"}) {
    Result<std::vector<int>> r = ParsePerfCpus(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(ParsePerfCpus("0,x").status().message().find("\"x\""), std::string::npos);
}

TEST(PerfFlagsTest, TracepointsAreSubsystemColonEventSeparatedBySpaces) {
  Result<std::vector<PerfTracepoint>> r = ParsePerfTracepoints(" sched:sched_switch  irq:softirq_entry ");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[0].subsystem, "sched");
  EXPECT_EQ(r.value()[0].event, "sched_switch");
  EXPECT_EQ(r.value()[1].event, "softirq_entry");
  EXPECT_TRUE(ParsePerfTracepoints("").value().empty());
  for (const char* bad : {"sched", "a:b:c", ":x", "x:", "sched:sched-switch", "a b:c"}) {
    EXPECT_FALSE(ParsePerfTracepoints(bad).ok()) << bad;
  }
}

std::vector<std::string> Profilers(const PerfSelectionFlags& flags) {
  Result<std::vector<const PerfEvent*>> r = SelectPerfEvents(flags);
  EXPECT_TRUE(r.ok()) << r.status().message();
  std::vector<std::string> out;
  for (const PerfEvent* e : r.ok() ? r.value() : std::vector<const PerfEvent*>{}) {
    out.push_back(e->profiler);
  }
  return out;
}

// Selection flags: the three disable switches, then the three name lists.
PerfSelectionFlags Flags(bool no_hw, bool no_sw, bool no_cache, std::string hw = "", std::string sw = "",
                         std::string cache = "") {
  PerfSelectionFlags f;
  f.disable_hardware = no_hw;
  f.disable_software = no_sw;
  f.disable_cache = no_cache;
  f.hardware = std::move(hw);
  f.software = std::move(sw);
  f.cache = std::move(cache);
  return f;
}

TEST(PerfSelectionTest, EveryGroupByDefaultNoneWhenDisabledNamedOnesWhenListed) {
  EXPECT_EQ(Profilers(Flags(false, false, false)).size(), PerfEvents().size());
  EXPECT_EQ(PerfEvents().size(), 30u);  // node_exporter 1.12.1's 30 families: 9 hardware, 5 software, 16 cache
  EXPECT_EQ(Profilers(Flags(true, false, true)),
            (std::vector<std::string>{"PageFault", "ContextSwitch", "CpuMigration", "MinorFault", "MajorFault"}));
  EXPECT_EQ(Profilers(Flags(true, true, false, "", "", "LLReadMiss BPUReadHit")),
            (std::vector<std::string>{"LLReadMiss", "BPUReadHit"}));
  EXPECT_EQ(Profilers(Flags(false, true, true, "CpuInstr")), (std::vector<std::string>{"CpuInstr"}));
  EXPECT_TRUE(Profilers(Flags(true, true, true, "CpuInstr", "PageFault", "LLReadMiss")).empty());
}

TEST(PerfSelectionTest, AnUnknownProfilerIsRefusedWithTheKnownOnes) {
  Result<std::vector<const PerfEvent*>> r = SelectPerfEvents(Flags(false, false, false, "", "PageFault CpuClock"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("software-profilers: unknown profiler \"CpuClock\""), std::string::npos);
  EXPECT_NE(r.status().message().find("ContextSwitch"), std::string::npos);
}

TEST(PerfSelectionTest, FamiliesAreNodeExportersNames) {
  std::set<std::string> names;
  for (const PerfEvent& e : PerfEvents()) {
    EXPECT_TRUE(std::string(e.metric).starts_with("node_perf_")) << e.metric;
    EXPECT_TRUE(std::string(e.metric).ends_with("_total")) << e.metric;
    names.insert(e.metric);
  }
  EXPECT_EQ(names.size(), PerfEvents().size());
  EXPECT_TRUE(names.count("node_perf_cpucycles_total"));
  EXPECT_TRUE(names.count("node_perf_context_switches_total"));
  EXPECT_TRUE(names.count("node_perf_cache_tlb_data_write_misses_total"));
}

CollectorOptions SoftwareOnly() {
  CollectorOptions options = DefaultCollectorOptions();
  EXPECT_TRUE(options.Set("perf", "disable-hardware-profilers", "true").ok());
  EXPECT_TRUE(options.Set("perf", "disable-cache-profilers", "true").ok());
  return options;
}

// The sum of a family's series in an exposition.
double Sum(const std::string& text, const std::string& family) {
  double sum = 0;
  for (std::string_view line : SplitLines(text)) {
    if (line.starts_with(family + "{")) {
      sum += ParseExpositionValue(line.substr(line.rfind(' ') + 1)).value_or(0);
    }
  }
  return sum;
}

TEST(PerfCollectorTest, SoftwareCountersCountOnThisHost) {
  // System-wide counting needs CAP_PERFMON (or root) unless perf_event_paranoid <= 0; where the
  // kernel refuses, the collector has no data, which the next test covers.
  ProcFs fs(FsRoots{"/proc", "/sys", "/", "/run/udev/data"});
  const CollectorSpec* spec = FindCollector("perf");
  ASSERT_NE(spec, nullptr);
  CollectorOptions options = SoftwareOnly();
  Result<CollectorPtr> c = spec->make(CollectorContext{fs, options});
  ASSERT_TRUE(c.ok()) << c.status().message();
  MetricSink first;
  Status st = c.value()->Collect(first);
  if (st.no_data()) {
    GTEST_SKIP() << "the kernel refuses perf counters here: " << st.message();
  }
  ASSERT_TRUE(st.ok()) << st.message();
  std::string before = SerializeText(first.TakeFamilies());
  for (int i = 0; i < 200; ++i) {
    sched_yield();
    usleep(100);  // each sleep is a context switch on some CPU
  }
  MetricSink second;
  ASSERT_TRUE(c.value()->Collect(second).ok());
  std::string after = SerializeText(second.TakeFamilies());
  EXPECT_GT(Sum(after, "node_perf_context_switches_total"), Sum(before, "node_perf_context_switches_total"));
  EXPECT_NE(after.find("# HELP node_perf_context_switches_total Number of context switches\n"), std::string::npos);
  EXPECT_NE(after.find("node_perf_context_switches_total{cpu=\"0\"}"), std::string::npos);
  EXPECT_EQ(after.find("node_perf_cpucycles_total"), std::string::npos);  // hardware disabled
}

TEST(PerfCollectorTest, CountersTheKernelRefusesAreNoDataNotAnError) {
  // No such CPU: perf_event_open fails for every counter, as it does without a PMU or permission.
  CollectorOptions options = SoftwareOnly();
  ASSERT_TRUE(options.Set("perf", "cpus", "4000").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("perf", testing::FixtureFs({}), options);
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_NE(run.status.message().find("perf_event_open"), std::string::npos) << run.status.message();
  EXPECT_EQ(run.text, "");
}

TEST(PerfCollectorTest, AnAbsentTracepointIsNoDataAndABadOneIsRefusedAtStart) {
  CollectorOptions options = DefaultCollectorOptions();
  for (const char* key : {"disable-hardware-profilers", "disable-software-profilers", "disable-cache-profilers"}) {
    ASSERT_TRUE(options.Set("perf", key, "true").ok());
  }
  ASSERT_TRUE(options.Set("perf", "tracepoint", "sched:sched_switch").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("perf", testing::FixtureFs({}), options);  // no tracefs
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_NE(run.status.message().find("tracepoint sched:sched_switch"), std::string::npos) << run.status.message();
  ASSERT_TRUE(options.Set("perf", "tracepoint", "sched").ok());
  run = testing::RunCollectorOnce("perf", testing::FixtureFs({}), options);
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("--collector.perf.tracepoint"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
