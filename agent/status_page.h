// The `/` status page for people: what the agent sees, server-rendered HTML
// with inline CSS, no scripts, readable on a phone. Every string that comes
// from configuration, targets or the host is HTML-escaped.
//
// Rendering is a pure function of StatusPageData, so it is unit-tested
// without a server. The agent fills the data from what it already knows (the
// last scrape's collector runs and host summary, the checks' summaries), so a
// page view costs no collector run and no probe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/host_summary.h"
#include "agent/remote_write/remote_writer.h"
#include "agent/scraper.h"
#include "collectors/checks/http_checker.h"
#include "collectors/checks/x509/x509_file_watcher.h"

namespace hostwatch {

struct StatusPageData {
  std::string version;
  std::string revision;
  double uptime_seconds = 0;
  std::vector<std::string> listen_addresses;
  std::string telemetry_path = "/metrics";
  std::string config_file;  // "" = built-in defaults
  bool last_reload_ok = true;
  double last_reload_success_time = 0;  // unix seconds
  std::optional<HostSummary> host;      // nullopt: /metrics not scraped yet
  std::vector<CollectorRunInfo> collectors;
  std::vector<CheckSummary> checks;
  std::vector<X509FileSummary> x509_files;  // from the last /metrics scrape; empty: none configured
  std::vector<remote_write::EndpointStatus> remote_write;  // empty: remote_write is off
  std::vector<std::string> dashboards;  // names of the bundled dashboards
};

// The whole HTML document.
std::string RenderStatusPage(const StatusPageData& data);

}  // namespace hostwatch
