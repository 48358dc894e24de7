// HostSummary: the host numbers the status page shows (CPU busy, load, memory,
// root filesystem), taken from what a /metrics scrape gathered, so that the page
// neither runs a scrape of its own nor looks values up when it renders.
//
// The families are read by their node_exporter names here, once per scrape, in
// one pass: the names are the collectors' public contract (the conformance test
// holds them to node_exporter's), and the host collectors have no typed
// accessors of their own.
#pragma once

#include <prometheus/metric_family.h>

#include <mutex>
#include <optional>
#include <vector>

namespace hostwatch {

// CPU seconds summed over all CPUs, split in idle (idle+iowait) and total.
struct CpuTotals {
  double idle = 0;
  double total = 0;
};

// What one scrape knew about the host; a value is nullopt when its collector
// is disabled or failed in that scrape.
struct HostReading {
  std::optional<CpuTotals> cpu;
  std::optional<double> load1, load5, load15;
  std::optional<double> memory_total_bytes, memory_available_bytes;
  std::optional<double> root_size_bytes, root_avail_bytes;  // the filesystem mounted at "/"
};

// Pure: extracts the reading from one scrape's families.
HostReading ReadHost(const std::vector<prometheus::MetricFamily>& families);

struct HostSummary {
  double scraped_at = 0;  // unix seconds of the scrape the numbers come from
  // Over the interval between the last two scrapes (since boot after the first).
  std::optional<double> cpu_busy_ratio;
  HostReading reading;
};

// Pure: the summary of now, with CPU busy measured since previous (nullopt:
// since boot; also when the counters went backwards, e.g. a CPU went offline).
HostSummary Summarize(const HostReading& now, const std::optional<CpuTotals>& previous, double scraped_at);

// Keeps the summary of the last scrape. Thread-safe: scrapes record, status
// page views read, each under the mutex.
class HostSummaryRecorder {
 public:
  void Record(const std::vector<prometheus::MetricFamily>& families, double now_seconds);
  // nullopt until the first Record().
  std::optional<HostSummary> Last() const;

 private:
  mutable std::mutex mu_;
  std::optional<HostSummary> last_;  // Guarded by mu_.
};

}  // namespace hostwatch
