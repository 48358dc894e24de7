#include "agent/host_summary.h"

#include <algorithm>
#include <string_view>

namespace hostwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

std::string_view Label(const ClientMetric& m, std::string_view name) {
  for (const auto& l : m.label) {
    if (l.name == name) {
      return l.value;
    }
  }
  return {};
}

double Value(const MetricFamily& f, const ClientMetric& m) {
  switch (f.type) {
    case prometheus::MetricType::Counter:
      return m.counter.value;
    case prometheus::MetricType::Gauge:
      return m.gauge.value;
    default:
      return m.untyped.value;
  }
}

// The value of the series with label == value (the first series when label is empty).
std::optional<double> Series(const MetricFamily& f, std::string_view label = {}, std::string_view value = {}) {
  for (const ClientMetric& m : f.metric) {
    if (label.empty() || Label(m, label) == value) {
      return Value(f, m);
    }
  }
  return std::nullopt;
}

std::optional<CpuTotals> SumCpu(const MetricFamily& f) {
  if (f.metric.empty()) {
    return std::nullopt;
  }
  CpuTotals t;
  for (const ClientMetric& m : f.metric) {
    std::string_view mode = Label(m, "mode");
    double v = Value(f, m);
    t.total += v;
    if (mode == "idle" || mode == "iowait") {
      t.idle += v;
    }
  }
  return t;
}

}  // namespace

HostReading ReadHost(const std::vector<MetricFamily>& families) {
  HostReading r;
  // One pass; the first family of a name wins, as a lookup by name did.
  auto set = [](std::optional<double>& field, std::optional<double> v) {
    if (!field) {
      field = v;
    }
  };
  for (const MetricFamily& f : families) {
    const std::string& n = f.name;
    if (n == "node_cpu_seconds_total") {
      if (!r.cpu) {
        r.cpu = SumCpu(f);
      }
    } else if (n == "node_load1") {
      set(r.load1, Series(f));
    } else if (n == "node_load5") {
      set(r.load5, Series(f));
    } else if (n == "node_load15") {
      set(r.load15, Series(f));
    } else if (n == "node_memory_MemTotal_bytes") {
      set(r.memory_total_bytes, Series(f));
    } else if (n == "node_memory_MemAvailable_bytes") {
      set(r.memory_available_bytes, Series(f));
    } else if (n == "node_filesystem_size_bytes") {
      set(r.root_size_bytes, Series(f, "mountpoint", "/"));
    } else if (n == "node_filesystem_avail_bytes") {
      set(r.root_avail_bytes, Series(f, "mountpoint", "/"));
    }
  }
  return r;
}

HostSummary Summarize(const HostReading& now, const std::optional<CpuTotals>& previous, double scraped_at) {
  HostSummary h;
  h.scraped_at = scraped_at;
  h.reading = now;
  if (now.cpu) {
    CpuTotals delta = *now.cpu;
    if (previous && now.cpu->total > previous->total && now.cpu->idle >= previous->idle) {
      delta.total = now.cpu->total - previous->total;
      delta.idle = now.cpu->idle - previous->idle;
    }
    if (delta.total > 0) {
      h.cpu_busy_ratio = std::clamp(1 - delta.idle / delta.total, 0.0, 1.0);
    }
  }
  return h;
}

void HostSummaryRecorder::Record(const std::vector<MetricFamily>& families, double now_seconds) {
  HostReading reading = ReadHost(families);
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<CpuTotals> previous = last_ ? last_->reading.cpu : std::nullopt;
  last_ = Summarize(reading, previous, now_seconds);
}

std::optional<HostSummary> HostSummaryRecorder::Last() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

}  // namespace hostwatch
