#include "collectors/core/text_format.h"

#include <gtest/gtest.h>

#include <cmath>

#include "collectors/core/metric_sink.h"

namespace hostwatch {
namespace {

TEST(GoFloatTest, MatchesStrconvFormatFloat) {
  // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
  struct Case {
    double value;
    const char* want;
  } cases[] = {
      {0, "0"},         {1, "1"},          {-1, "-1"},          {0.21, "0.21"},     {26442, "26442"},
      {100000, "100000"}, {1e6, "1e+06"},  {1418183276, "1.418183276e+09"},       {8.00037e+08, "8.00037e+08"},
      {0.0001, "0.0001"}, {1e-05, "1e-05"}, {10870.69, "10870.69"}, {444.9, "444.9"}, {123456.5, "123456.5"},
      {1.5e300, "1.5e+300"}, {-2.5e-7, "-2.5e-07"}, {18446744073709551615.0, "1.8446744073709552e+19"},
      {NAN, "NaN"},     {INFINITY, "+Inf"}, {-INFINITY, "-Inf"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatGoFloat(c.value), c.want) << c.want;
  }
}

const MetricDesc kB{"b_metric", "Help with \\ and\nnewline.", MetricType::Gauge, {"z", "a"}};
const MetricDesc kA{"a_total", "A counter.", MetricType::Counter, {"cpu"}};

TEST(TextFormatTest, SortsFamiliesLabelsAndSeriesLikeNodeExporter) {
  MetricSink sink;
  sink.Add(kB, 2, {"1", "x\"y"});
  sink.Add(kA, 1, {"2"});
  sink.Add(kA, 3, {"10"});
  EXPECT_EQ(SerializeText(sink.TakeFamilies()),
            "# HELP a_total A counter.\n"
            "# TYPE a_total counter\n"
            "a_total{cpu=\"10\"} 3\n"
            "a_total{cpu=\"2\"} 1\n"
            "# HELP b_metric Help with \\\\ and\\nnewline.\n"
            "# TYPE b_metric gauge\n"
            "b_metric{a=\"x\\\"y\",z=\"1\"} 2\n");
}

TEST(TextFormatTest, MergesFamiliesWithTheSameName) {
  MetricSink one, two;
  one.Add(kA, 1, {"0"});
  two.Add(kA, 2, {"1"});
  auto families = one.TakeFamilies();
  for (auto& f : two.TakeFamilies()) {
    families.push_back(std::move(f));
  }
  std::string text = SerializeText(std::move(families));
  EXPECT_EQ(text, "# HELP a_total A counter.\n# TYPE a_total counter\na_total{cpu=\"0\"} 1\na_total{cpu=\"1\"} 2\n");
}

// Two sources emitting the same series (netclass with-stats beside netdev):
// Prometheus would reject the scrape, so the repeat goes and the first one
// collected stays, as client_golang does.
TEST(TextFormatTest, KeepsTheFirstOfASeriesTwoSourcesEmit) {
  MetricSink one, two;
  one.Add(kA, 1, {"1"});
  one.Add(kA, 3, {"0"});
  two.Add(kA, 2, {"1"});
  two.Add(kA, 4, {"2"});
  auto families = one.TakeFamilies();
  for (auto& f : two.TakeFamilies()) {
    families.push_back(std::move(f));
  }
  std::string text = SerializeText(std::move(families));
  EXPECT_EQ(text,
            "# HELP a_total A counter.\n# TYPE a_total counter\n"
            "a_total{cpu=\"0\"} 3\na_total{cpu=\"1\"} 1\na_total{cpu=\"2\"} 4\n");
}

TEST(TextFormatTest, WritesHistogramWithInfBucketSumAndCount) {
  prometheus::MetricFamily f;
  f.name = "h_seconds";
  f.help = "A histogram.";
  f.type = MetricType::Histogram;
  auto& m = f.metric.emplace_back();
  m.label = {{"check", "x"}};
  m.histogram.sample_count = 3;
  m.histogram.sample_sum = 0.75;
  m.histogram.bucket = {{1, 0.1}, {2, 0.5}};
  EXPECT_EQ(SerializeText({f}),
            "# HELP h_seconds A histogram.\n# TYPE h_seconds histogram\n"
            "h_seconds_bucket{check=\"x\",le=\"0.1\"} 1\n"
            "h_seconds_bucket{check=\"x\",le=\"0.5\"} 2\n"
            "h_seconds_bucket{check=\"x\",le=\"+Inf\"} 3\n"
            "h_seconds_sum{check=\"x\"} 0.75\n"
            "h_seconds_count{check=\"x\"} 3\n");
}

TEST(TextFormatTest, OmitsEmptyFamilies) {
  prometheus::MetricFamily f;
  f.name = "empty";
  f.help = "Nothing.";
  f.type = MetricType::Gauge;
  EXPECT_EQ(SerializeText({f}), "");
}

}  // namespace
}  // namespace hostwatch
