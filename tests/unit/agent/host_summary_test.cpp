#include "agent/host_summary.h"

#include <gtest/gtest.h>

#include "collectors/core/metric_sink.h"

namespace hostwatch {
namespace {

const MetricDesc kCpu{"node_cpu_seconds_total", "cpu", MetricType::Counter, {"cpu", "mode"}};
const MetricDesc kLoad1{"node_load1", "l", MetricType::Gauge, {}};
const MetricDesc kMemTotal{"node_memory_MemTotal_bytes", "m", MetricType::Gauge, {}};
const MetricDesc kMemAvail{"node_memory_MemAvailable_bytes", "m", MetricType::Gauge, {}};
const MetricDesc kFsSize{"node_filesystem_size_bytes", "s", MetricType::Gauge, {"mountpoint"}};
const MetricDesc kFsAvail{"node_filesystem_avail_bytes", "a", MetricType::Gauge, {"mountpoint"}};

std::vector<prometheus::MetricFamily> Families(double idle, double user) {
  MetricSink sink;
  sink.Add(kCpu, idle, {"0", "idle"});
  sink.Add(kCpu, user, {"0", "user"});
  sink.Add(kLoad1, 0.5);
  sink.Add(kMemTotal, 1000);
  sink.Add(kMemAvail, 250);
  sink.Add(kFsSize, 50, {"/boot"});
  sink.Add(kFsSize, 200, {"/"});
  sink.Add(kFsAvail, 50, {"/"});
  return sink.TakeFamilies();
}

TEST(HostSummaryTest, ReadsTheHostNumbersFromOneScrapesFamilies) {
  HostReading r = ReadHost(Families(75, 25));
  ASSERT_TRUE(r.cpu.has_value());
  EXPECT_DOUBLE_EQ(r.cpu->total, 100);
  EXPECT_DOUBLE_EQ(r.cpu->idle, 75);
  EXPECT_DOUBLE_EQ(*r.load1, 0.5);
  EXPECT_FALSE(r.load5.has_value());  // not in this scrape
  EXPECT_DOUBLE_EQ(*r.memory_available_bytes, 250);
  EXPECT_DOUBLE_EQ(*r.root_size_bytes, 200);  // the "/" series, not /boot
  EXPECT_DOUBLE_EQ(*r.root_avail_bytes, 50);
}

TEST(HostSummaryTest, CpuBusyIsSinceBootFirstThenBetweenScrapes) {
  HostSummary first = Summarize(ReadHost(Families(75, 25)), std::nullopt, 10);
  EXPECT_DOUBLE_EQ(*first.cpu_busy_ratio, 0.25);
  EXPECT_DOUBLE_EQ(first.scraped_at, 10);
  // Between two scrapes: 10 s idle and 30 s user -> 75% busy.
  HostSummary second = Summarize(ReadHost(Families(85, 55)), first.reading.cpu, 20);
  EXPECT_DOUBLE_EQ(*second.cpu_busy_ratio, 0.75);
  // Counters that went backwards (a CPU went offline) fall back to since boot.
  HostSummary third = Summarize(ReadHost(Families(80, 20)), second.reading.cpu, 30);
  EXPECT_DOUBLE_EQ(*third.cpu_busy_ratio, 0.2);
}

TEST(HostSummaryTest, RecorderHasNothingBeforeTheFirstScrapeThenTheLast) {
  HostSummaryRecorder recorder;
  EXPECT_FALSE(recorder.Last().has_value());
  recorder.Record(Families(75, 25), 10);
  recorder.Record(Families(85, 55), 20);
  std::optional<HostSummary> last = recorder.Last();
  ASSERT_TRUE(last.has_value());
  EXPECT_DOUBLE_EQ(last->scraped_at, 20);
  EXPECT_DOUBLE_EQ(*last->cpu_busy_ratio, 0.75);
}

TEST(HostSummaryTest, AScrapeWithoutHostCollectorsHasNoNumbers) {
  HostSummary h = Summarize(ReadHost({}), std::nullopt, 1);
  EXPECT_FALSE(h.cpu_busy_ratio.has_value());
  EXPECT_FALSE(h.reading.load1.has_value());
  EXPECT_FALSE(h.reading.root_size_bytes.has_value());
}

}  // namespace
}  // namespace hostwatch
