#include "agent/foreign_family_filter.h"

#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/logging.h"

namespace hostwatch {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

const MetricDesc kDroppedSeries{"hostwatch_textfile_dropped_series",
                                "Series read from textfiles that this scrape dropped because the agent produces "
                                "their metric family itself.",
                                MetricType::Gauge,
                                {}};

// Namespaces no textfile may write into: the checks' (blackbox_exporter's)
// and the agent's own.
constexpr std::array<std::string_view, 2> kOwnPrefixes = {"probe_", "hostwatch_"};

// The names a family's samples are written under.
std::vector<std::string> SeriesNames(const MetricFamily& f) {
  std::vector<std::string> names = {f.name};
  if (f.type == MetricType::Histogram) {
    names.push_back(f.name + "_bucket");
  }
  if (f.type == MetricType::Histogram || f.type == MetricType::Summary) {
    names.push_back(f.name + "_sum");
    names.push_back(f.name + "_count");
  }
  return names;
}

// Lines the family adds to the exposition: the Prometheus series it would create.
std::uint64_t SampleCount(const MetricFamily& f) {
  std::uint64_t n = 0;
  for (const prometheus::ClientMetric& m : f.metric) {
    if (f.type == MetricType::Histogram) {
      n += m.histogram.bucket.size() + 2;
    } else if (f.type == MetricType::Summary) {
      n += m.summary.quantile.size() + 2;
    } else {
      ++n;
    }
  }
  return n;
}

struct Dropped {
  std::string family;
  std::string files;
  std::uint64_t series;
};

}  // namespace

void ForeignFamilyFilter::MergeInto(MetricSink& sink) {
  std::vector<ForeignFamily> foreign = sink.TakeForeignFamilies();
  std::vector<MetricFamily> kept;
  std::vector<Dropped> to_log;
  std::uint64_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const MetricFamily& f : sink.families()) {
      if (!own_series_names_.contains(f.name)) {  // the common case costs one lookup per family
        for (std::string& n : SeriesNames(f)) {
          own_series_names_.insert(std::move(n));
        }
      }
    }
    std::set<std::string> dropped_now;
    for (ForeignFamily& f : foreign) {
      bool own = false;
      for (const std::string& n : SeriesNames(f.family)) {
        own = own || own_series_names_.contains(n);
      }
      for (std::string_view prefix : kOwnPrefixes) {
        own = own || f.family.name.starts_with(prefix);
      }
      if (!own) {
        kept.push_back(std::move(f.family));
        continue;
      }
      std::uint64_t n = SampleCount(f.family);
      dropped += n;
      std::string key = f.family.name + "\n" + f.origin;
      if (!warned_.contains(key)) {
        to_log.push_back({f.family.name, f.origin, n});
      }
      dropped_now.insert(std::move(key));
    }
    warned_ = std::move(dropped_now);
  }
  for (MetricFamily& f : kept) {
    sink.AddFamily(std::move(f));
  }
  sink.Add(kDroppedSeries, static_cast<double>(dropped));
  for (const Dropped& d : to_log) {
    logging::Warn("textfile series dropped: the agent produces this metric family itself",
                  {{"family", d.family}, {"file", d.files}, {"series", d.series}});
  }
}

}  // namespace hostwatch
