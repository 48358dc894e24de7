#include "agent/remote_write/series.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "collectors/core/text_format.h"

namespace hostwatch::remote_write {
namespace {

// Appends one series: the metric's labels, name, external labels where missing, one extra label
// (le/quantile) when extra_name is set.
class SeriesBuilder {
 public:
  SeriesBuilder(std::int64_t gather_ms, const Labels& external, std::vector<Series>* out)
      : gather_ms_(gather_ms), external_(external), out_(out) {}

  void Add(const prometheus::ClientMetric& m, const std::string& name, double value, const char* extra_name = nullptr,
           const std::string& extra_value = "") {
    Series s;
    s.labels.reserve(m.label.size() + external_.size() + 2);
    s.labels.push_back({"__name__", name});
    for (const prometheus::ClientMetric::Label& l : m.label) {
      s.labels.push_back({l.name, l.value});
    }
    if (extra_name != nullptr) {
      s.labels.push_back({extra_name, extra_value});
    }
    const std::size_t own = s.labels.size();
    for (const Label& e : external_) {
      auto same = [&](const Label& l) { return l.name == e.name; };
      if (std::none_of(s.labels.begin(), s.labels.begin() + static_cast<std::ptrdiff_t>(own), same)) {
        s.labels.push_back(e);
      }
    }
    std::sort(s.labels.begin(), s.labels.end(), [](const Label& a, const Label& b) { return a.name < b.name; });
    s.sample.value = value;
    s.sample.timestamp_ms = gather_ms_;  // the exposition writes no timestamps: a scrape stores its own time
    out_->push_back(std::move(s));
  }

 private:
  std::int64_t gather_ms_;
  const Labels& external_;
  std::vector<Series>* out_;
};

void AddHistogram(SeriesBuilder& b, const prometheus::ClientMetric& m, const std::string& name) {
  bool saw_inf = false;
  for (const prometheus::ClientMetric::Bucket& bucket : m.histogram.bucket) {
    saw_inf = saw_inf || std::isinf(bucket.upper_bound);
    b.Add(m, name + "_bucket", static_cast<double>(bucket.cumulative_count), "le", FormatGoFloat(bucket.upper_bound));
  }
  if (!saw_inf) {  // text_format adds the +Inf bucket as the count; so does this
    b.Add(m, name + "_bucket", static_cast<double>(m.histogram.sample_count), "le", "+Inf");
  }
  b.Add(m, name + "_sum", m.histogram.sample_sum);
  b.Add(m, name + "_count", static_cast<double>(m.histogram.sample_count));
}

void AddSummary(SeriesBuilder& b, const prometheus::ClientMetric& m, const std::string& name) {
  for (const prometheus::ClientMetric::Quantile& q : m.summary.quantile) {
    b.Add(m, name, q.value, "quantile", FormatGoFloat(q.quantile));
  }
  b.Add(m, name + "_sum", m.summary.sample_sum);
  b.Add(m, name + "_count", static_cast<double>(m.summary.sample_count));
}

}  // namespace

std::vector<Series> FamiliesToSeries(const std::vector<prometheus::MetricFamily>& families, std::int64_t gather_ms,
                                     const Labels& external_labels) {
  std::vector<Series> out;
  SeriesBuilder b(gather_ms, external_labels, &out);
  for (const prometheus::MetricFamily& f : families) {
    for (const prometheus::ClientMetric& m : f.metric) {
      switch (f.type) {
        case prometheus::MetricType::Counter:
          b.Add(m, f.name, m.counter.value);
          break;
        case prometheus::MetricType::Gauge:
          b.Add(m, f.name, m.gauge.value);
          break;
        case prometheus::MetricType::Untyped:
          b.Add(m, f.name, m.untyped.value);
          break;
        case prometheus::MetricType::Histogram:
          AddHistogram(b, m, f.name);
          break;
        case prometheus::MetricType::Summary:
          AddSummary(b, m, f.name);
          break;
      }
    }
  }
  return out;
}

}  // namespace hostwatch::remote_write
