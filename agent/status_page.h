// The `/` status page for people: what the agent sees, server-rendered HTML
// with inline CSS, no scripts, readable on a phone. Every string that comes
// from configuration, targets or the host is HTML-escaped.
//
// Rendering is a pure function of StatusPageData, so it is unit-tested
// without a server; the agent gathers the data (agent.cpp).
#pragma once

#include <prometheus/metric_family.h>

#include <optional>
#include <string>
#include <vector>

#include "agent/scraper.h"

namespace hostwatch {

// Host numbers derived from one scrape's families, the same values /metrics has.
struct HostSummary {
  std::optional<double> cpu_busy_ratio;  // over the interval since the previous page view (or since boot)
  std::optional<double> load1, load5, load15;
  std::optional<double> memory_total_bytes, memory_available_bytes;
  std::optional<double> root_size_bytes, root_avail_bytes;
  std::optional<double> boot_time_seconds;
};

// CPU seconds summed over all CPUs, split in idle (idle+iowait) and total.
struct CpuTotals {
  double idle = 0;
  double total = 0;
};

// Sums node_cpu_seconds_total by mode class; nullopt when the family is absent.
std::optional<CpuTotals> SumCpuSeconds(const std::vector<prometheus::MetricFamily>& families);

// Extracts the summary; previous (if any) is the CpuTotals of the last view.
HostSummary SummarizeHost(const std::vector<prometheus::MetricFamily>& families,
                          const std::optional<CpuTotals>& previous);

// One configured HTTP check as the status page shows it.
struct CheckStatusRow {
  std::string name;
  std::string target;
  bool has_run = false;
  bool up = false;
  double last_duration_seconds = 0;
  std::optional<double> availability_ratio;  // over the kept history
  std::optional<double> p95_seconds;         // over the kept history
  std::optional<double> cert_days_left;
  std::string last_failure_reason;
};

struct StatusPageData {
  std::string version;
  std::string revision;
  double uptime_seconds = 0;
  std::vector<std::string> listen_addresses;
  std::string telemetry_path = "/metrics";
  std::string config_file;  // "" = built-in defaults
  bool last_reload_ok = true;
  double last_reload_success_time = 0;  // unix seconds
  HostSummary host;
  std::vector<CollectorRunInfo> collectors;
  std::vector<CheckStatusRow> checks;
  std::vector<std::string> dashboards;  // names of the bundled dashboards
};

std::string RenderStatusPage(const StatusPageData& data);

std::string HtmlEscape(std::string_view s);

}  // namespace hostwatch
