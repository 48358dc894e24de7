// One gather as remote_write series: the series Prometheus stores from a scrape of the same text.
#include "agent/remote_write/series.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "agent/remote_write/wire.h"
#include "collectors/core/text_format.h"

namespace hostwatch::remote_write {
namespace {

using ::testing::ElementsAre;

prometheus::ClientMetric Metric(std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  return m;
}

// "name{a="b",...}" of a series, labels in the order given (sorted by the code under test).
std::string Text(const Series& s) {
  std::string name, rest;
  for (const Label& l : s.labels) {
    if (l.name == "__name__") {
      name = l.value;
    } else {
      rest += (rest.empty() ? "" : ",") + l.name + "=\"" + l.value + "\"";
    }
  }
  return name + "{" + rest + "}";
}

TEST(RemoteWriteSeriesTest, HistogramsAndSummariesBecomeTheirStoredSeries) {
  prometheus::MetricFamily h{"req_seconds", "h", prometheus::MetricType::Histogram, {}};
  prometheus::ClientMetric hm = Metric({{"code", "200"}});
  hm.histogram.sample_count = 3;
  hm.histogram.sample_sum = 1.5;
  hm.histogram.bucket = {{1, 0.1}, {2, 1e6}};  // no +Inf: added as the count, as the exposition does
  h.metric.push_back(hm);
  prometheus::MetricFamily s{"rtt", "s", prometheus::MetricType::Summary, {}};
  prometheus::ClientMetric sm = Metric({});
  sm.summary.sample_count = 4;
  sm.summary.sample_sum = 2;
  sm.summary.quantile = {{0.5, 0.25}};
  s.metric.push_back(sm);
  std::vector<Series> out = FamiliesToSeries({h, s}, 1000, {});
  std::vector<std::string> names;
  for (const Series& x : out) {
    names.push_back(Text(x) + "=" + std::to_string(x.sample.value));
    EXPECT_EQ(x.sample.timestamp_ms, 1000);
  }
  EXPECT_THAT(names, ElementsAre("req_seconds_bucket{code=\"200\",le=\"0.1\"}=1.000000",
                                 "req_seconds_bucket{code=\"200\",le=\"1e+06\"}=2.000000",
                                 "req_seconds_bucket{code=\"200\",le=\"+Inf\"}=3.000000",
                                 "req_seconds_sum{code=\"200\"}=1.500000", "req_seconds_count{code=\"200\"}=3.000000",
                                 "rtt{quantile=\"0.5\"}=0.250000", "rtt_sum{}=2.000000", "rtt_count{}=4.000000"));
}

TEST(RemoteWriteSeriesTest, ExternalLabelsFillOnlyWhatTheSeriesLacksAndLabelsAreSorted) {
  prometheus::MetricFamily g{"up_like", "g", prometheus::MetricType::Gauge, {}};
  prometheus::ClientMetric m = Metric({{"job", "own"}, {"Zone", "z"}});
  m.gauge.value = 7;
  g.metric.push_back(m);
  std::vector<Series> out = FamiliesToSeries({g}, 5, {{"cluster", "eu"}, {"job", "node"}});
  ASSERT_EQ(out.size(), 1u);
  // Byte order, as Prometheus sorts: "Zone" < "__name__" < "cluster" < "job".
  EXPECT_THAT(out[0].labels, ElementsAre(Label{"Zone", "z"}, Label{"__name__", "up_like"}, Label{"cluster", "eu"},
                                         Label{"job", "own"}));
  EXPECT_EQ(out[0].sample.value, 7);
}

// The series of a gather are the samples of its exposition text: same names, labels and values.
TEST(RemoteWriteSeriesTest, SeriesEqualTheExpositionOfTheSameGather) {
  prometheus::MetricFamily c{"x_total", "c", prometheus::MetricType::Counter, {}};
  for (int i = 0; i < 3; ++i) {
    prometheus::ClientMetric m = Metric({{"i", std::to_string(i)}, {"q", "a\"b\\c\nd"}});
    m.counter.value = i * 1.5;
    c.metric.push_back(m);
  }
  prometheus::MetricFamily u{"y", "u", prometheus::MetricType::Untyped, {}};
  prometheus::ClientMetric um = Metric({});
  um.untyped.value = -2;
  u.metric.push_back(um);
  std::vector<prometheus::MetricFamily> families = {c, u};
  std::vector<Series> out = FamiliesToSeries(families, 1, {});
  std::map<std::string, double> from_series;
  for (const Series& s : out) {
    from_series[Text(s)] = s.sample.value;
  }
  // One sample line of the text per series.
  std::string text = SerializeText(families);
  std::size_t sample_lines = 0;
  for (std::size_t pos = 0; pos < text.size(); pos = text.find('\n', pos) + 1) {
    sample_lines += text[pos] != '#' ? 1 : 0;
  }
  EXPECT_EQ(sample_lines, out.size());
  EXPECT_EQ(from_series.size(), out.size());
  EXPECT_EQ(from_series["x_total{i=\"2\",q=\"a\"b\\c\nd\"}"], 3.0);
  EXPECT_EQ(from_series["y{}"], -2.0);
}

TEST(RemoteWriteWireTest, SamplesOfOneSeriesAreGroupedInTimeOrderAndRoundTrip) {
  Labels a = {{"__name__", "a"}, {"job", "n"}};
  Labels b = {{"__name__", "b"}};
  std::vector<Series> in = {{a, {1, 3000}}, {b, {2, 2000}}, {a, {3, 1000}}, {a, {4, 2000}}};
  std::optional<std::vector<Series>> out = DecodeWriteRequest(EncodeWriteRequest(in));
  ASSERT_TRUE(out.has_value());
  std::vector<std::pair<std::string, std::int64_t>> order;
  for (const Series& s : *out) {
    order.emplace_back(s.labels[0].value, s.sample.timestamp_ms);
  }
  EXPECT_THAT(order, ElementsAre(std::pair<std::string, std::int64_t>{"a", 1000}, std::pair<std::string, std::int64_t>{"a", 2000},
                                 std::pair<std::string, std::int64_t>{"a", 3000}, std::pair<std::string, std::int64_t>{"b", 2000}));
  EXPECT_EQ((*out)[0].labels, a);
  EXPECT_EQ((*out)[0].sample.value, 3);
}

TEST(RemoteWriteWireTest, GarbageAndLyingLengthsAreRefusedNotAllocated) {
  EXPECT_FALSE(DecodeWriteRequest("not snappy at all").has_value());
  // A varint claiming a 4 GiB body, then nothing.
  EXPECT_FALSE(DecodeWriteRequest(std::string("\xff\xff\xff\xff\x0f", 5)).has_value());
  EXPECT_TRUE(DecodeWriteRequest(EncodeWriteRequest({})).has_value());
}

}  // namespace
}  // namespace hostwatch::remote_write
