#include "agent/remote_write/wire.h"

#include <snappy.h>

#include <algorithm>
#include <unordered_map>

#include "agent/build_info.h"
#include "agent/remote_write/remote.pb.h"

namespace hostwatch::remote_write {
namespace {

// A label set as one string key: names and values cannot contain \xff in valid UTF-8.
std::string Key(const Labels& labels) {
  std::string k;
  for (const Label& l : labels) {
    k += l.name;
    k += '\xff';
    k += l.value;
    k += '\xff';
  }
  return k;
}

}  // namespace

std::string UserAgent() { return std::string("hostwatch/") + kBuildVersion; }

std::string EncodeWriteRequest(const std::vector<Series>& samples) {
  prometheus::WriteRequest req;
  std::unordered_map<std::string, prometheus::TimeSeries*> by_labels;
  for (const Series& s : samples) {
    prometheus::TimeSeries*& ts = by_labels[Key(s.labels)];
    if (ts == nullptr) {
      ts = req.add_timeseries();
      for (const Label& l : s.labels) {
        prometheus::Label* pl = ts->add_labels();
        pl->set_name(l.name);
        pl->set_value(l.value);
      }
    }
    prometheus::Sample* ps = ts->add_samples();
    ps->set_value(s.sample.value);
    ps->set_timestamp(s.sample.timestamp_ms);
  }
  for (prometheus::TimeSeries& ts : *req.mutable_timeseries()) {
    std::stable_sort(ts.mutable_samples()->begin(), ts.mutable_samples()->end(),
                     [](const prometheus::Sample& a, const prometheus::Sample& b) {
                       return a.timestamp() < b.timestamp();
                     });
  }
  std::string raw = req.SerializeAsString();
  std::string compressed;
  snappy::Compress(raw.data(), raw.size(), &compressed);
  return compressed;
}

std::optional<std::vector<Series>> DecodeWriteRequest(std::string_view body) {
  // snappy allocates the length the body claims: a corrupt log record must not ask for gigabytes.
  std::size_t length = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &length) || length > kMaxWriteRequestBytes) {
    return std::nullopt;
  }
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    return std::nullopt;
  }
  prometheus::WriteRequest req;
  if (!req.ParseFromString(raw)) {
    return std::nullopt;
  }
  std::vector<Series> out;
  for (const prometheus::TimeSeries& ts : req.timeseries()) {
    Labels labels;
    for (const prometheus::Label& l : ts.labels()) {
      labels.push_back({l.name(), l.value()});
    }
    for (const prometheus::Sample& s : ts.samples()) {
      out.push_back({labels, {s.value(), s.timestamp()}});
    }
  }
  return out;
}

}  // namespace hostwatch::remote_write
