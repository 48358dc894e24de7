#include "agent/foreign_family_filter.h"

#include <gtest/gtest.h>

#include "collectors/core/text_format.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

const MetricDesc kCpu{"node_cpu_seconds_total", "CPU.", MetricType::Counter, {"cpu", "mode"}};
const MetricDesc kLoad{"node_load1", "Load.", MetricType::Gauge, {}};

// One foreign gauge family with one unlabelled series per value.
prometheus::MetricFamily Foreign(const std::string& name, std::vector<double> values,
                                 prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = "Metric read from a file";
  f.type = type;
  for (double v : values) {
    prometheus::ClientMetric m;
    m.gauge.value = v;
    m.untyped.value = v;
    f.metric.push_back(m);
  }
  return f;
}

// Runs one scrape through the filter: own families as given, then the foreign ones.
std::string Scrape(ForeignFamilyFilter& filter, bool with_cpu, std::vector<prometheus::MetricFamily> foreign) {
  MetricSink sink;
  if (with_cpu) {
    sink.Add(kCpu, 123, {"0", "idle"});
  }
  sink.Add(kLoad, 0.5);
  for (auto& f : foreign) {
    sink.AddForeignFamily(std::move(f), "/textfiles/x.prom");
  }
  filter.MergeInto(sink);
  EXPECT_TRUE(sink.TakeForeignFamilies().empty());
  return SerializeText(sink.TakeFamilies());
}

TEST(ForeignFamilyFilterTest, DropsFamiliesTheAgentProducesAndKeepsTheRest) {
  ForeignFamilyFilter filter;
  std::string text = Scrape(filter, true, {Foreign("node_cpu_seconds_total", {1}), Foreign("harmless", {7})});
  EXPECT_EQ(testing::Sample(text, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"), 123);
  EXPECT_EQ(testing::Sample(text, "node_cpu_seconds_total"), std::nullopt);
  EXPECT_EQ(testing::Sample(text, "harmless"), 7);
  EXPECT_EQ(testing::Sample(text, "hostwatch_textfile_dropped_series"), 1);
}

// A family stays protected in a scrape where its collector produced nothing
// (failed, timed out) once the agent has produced it under this filter.
TEST(ForeignFamilyFilterTest, RemembersFamiliesOfEarlierScrapes) {
  ForeignFamilyFilter filter;
  Scrape(filter, true, {});
  std::string text = Scrape(filter, false, {Foreign("node_cpu_seconds_total", {1, 2})});
  EXPECT_EQ(text.find("node_cpu_seconds_total"), std::string::npos) << text;
  EXPECT_EQ(testing::Sample(text, "hostwatch_textfile_dropped_series"), 2);
}

// probe_* (the checks) and hostwatch_* are the agent's even before anything
// produced them, e.g. probe_success before a check's first run.
TEST(ForeignFamilyFilterTest, ProbeAndHostwatchNamespacesAreAlwaysTheAgents) {
  ForeignFamilyFilter filter;
  std::string text = Scrape(filter, false, {Foreign("probe_success", {1}), Foreign("hostwatch_up", {1}),
                                            Foreign("probes_seen", {4})});
  EXPECT_EQ(text.find("probe_success"), std::string::npos) << text;
  EXPECT_EQ(text.find("hostwatch_up"), std::string::npos) << text;
  EXPECT_EQ(testing::Sample(text, "probes_seen"), 4);
  EXPECT_EQ(testing::Sample(text, "hostwatch_textfile_dropped_series"), 2);
}

// Series names collide, not only family names: a file's foo_count would sit
// among the agent's histogram foo.
TEST(ForeignFamilyFilterTest, HistogramSeriesNamesAreProtected) {
  ForeignFamilyFilter filter;
  MetricSink sink;
  prometheus::MetricFamily histogram;
  histogram.name = "node_demo_seconds";
  histogram.type = prometheus::MetricType::Histogram;
  histogram.metric.emplace_back();
  sink.AddFamily(histogram);
  sink.AddForeignFamily(Foreign("node_demo_seconds_count", {3}), "/textfiles/x.prom");
  sink.AddForeignFamily(Foreign("node_demo_seconds_total", {3}), "/textfiles/x.prom");
  filter.MergeInto(sink);
  std::string text = SerializeText(sink.TakeFamilies());
  EXPECT_EQ(testing::Sample(text, "node_demo_seconds_count"), 0);  // the agent's own histogram
  EXPECT_EQ(testing::Sample(text, "node_demo_seconds_total"), 3);
  EXPECT_EQ(testing::Sample(text, "hostwatch_textfile_dropped_series"), 1);
}

TEST(ForeignFamilyFilterTest, NothingDroppedIsZero) {
  ForeignFamilyFilter filter;
  std::string text = Scrape(filter, true, {Foreign("harmless", {7})});
  EXPECT_EQ(testing::Sample(text, "hostwatch_textfile_dropped_series"), 0);
}

}  // namespace
}  // namespace hostwatch
