// ProbeHandler: /probe end to end. It parses the request (probe_request.h),
// decides once whether the caller asks for a configured check's own target
// (served from its last scheduled run) or for another target (an ad-hoc probe
// run now), bounds the ad-hoc probes running at once, and chooses every
// status code, content type and body, including the debug=true page.
//
// What it needs to know about checks comes through ProbeBackend as plain
// data, so this folder stays free of the checks' code (the agent wires the
// HttpChecker in, agent/check_probe_backend.h).
//
// Answers, as blackbox_exporter gives them where it has an equivalent:
//   400  no module, bad timeout header, unknown module, ad-hoc probing not
//        enabled, a target that is not a URL we probe (or a module with proxy_url),
//        a hostname that is not a host[:port] or conflicts with the module's Host
//   403  target outside http_checks.probe_targets.allowed_targets
//   503  the check has not completed a run yet (or cannot run), or
//        probe_targets.max_concurrent ad-hoc probes are running already
//   200  the blackbox exposition, or with debug=true the run's log, its
//        metrics and the module's configuration (secrets redacted)
//
// Thread-safety: Handle() may be called from any number of HTTP workers at
// once; the backend must allow the same.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/web/http_server.h"
#include "agent/web/probe_request.h"

namespace hostwatch {

// One probe's outcome, rendered.
struct ProbeReport {
  std::string metrics_text;      // blackbox exposition of the run (text format 0.0.4)
  std::vector<std::string> log;  // the run's log lines
  std::string module_text;       // the module's configuration, secrets redacted
};

// One past scheduled run, for the debug page's "Recent runs".
struct ProbeRunLine {
  double start_unix = 0;
  bool success = false;
  std::string reason;  // failure reason name; "none" on success
  double duration_seconds = 0;
  long status_code = 0;
};

// A configured check as /probe serves it from its schedule.
struct ScheduledProbe {
  std::vector<std::string> own_targets;  // the spellings of the check's own target (URL) a caller may pass
  std::optional<ProbeReport> last;       // nullopt before the first completed run
  std::vector<ProbeRunLine> history;     // oldest first
  std::string unavailable_reason;        // why checks cannot run at all; "" normally
};

enum class ProbeRefusal {
  kNone,
  kUnknownModule,
  kDisabled,   // ad-hoc probing is not enabled
  kBadTarget,  // detail: the whole explanation
  kForbidden,  // detail: why the allow-list refused the target
};

// An ad-hoc probe the backend accepted (run it) or refused.
struct AdHocAdmission {
  ProbeRefusal refusal = ProbeRefusal::kNone;
  std::string detail;
  int max_concurrent = 0;            // ad-hoc probes allowed at once
  std::function<ProbeReport()> run;  // without a refusal: runs the probe on the calling thread
};

class ProbeBackend {
 public:
  virtual ~ProbeBackend() = default;
  // The check named module; nullopt when there is none. The report's log and
  // module text and the history are filled only with debug: only the debug
  // page shows them, and a plain /probe (every blackbox-style scrape) should
  // not pay for copying and rendering them.
  // A module with several scheduled targets answers for the one equal to
  // target (any of them when target is empty or none is).
  virtual std::optional<ScheduledProbe> Scheduled(const std::string& module, const std::string& target,
                                                  bool debug) const = 0;
  // Validates a probe of target with module's settings, under the timeout the
  // scrape allows (nullopt: the module's own), presenting hostname ("" = the
  // target's own) as Host and TLS server name; its report as Scheduled's.
  virtual AdHocAdmission AdHoc(const std::string& module, const std::string& target, const std::string& hostname,
                               std::optional<double> scrape_timeout_seconds, bool debug) const = 0;
};

class ProbeHandler {
 public:
  // backend must outlive the handler.
  explicit ProbeHandler(const ProbeBackend& backend) : backend_(backend) {}
  ProbeHandler(const ProbeHandler&) = delete;
  ProbeHandler& operator=(const ProbeHandler&) = delete;
  ProbeHandler(ProbeHandler&&) = delete;
  ProbeHandler& operator=(ProbeHandler&&) = delete;

  HttpResponse Handle(const HttpRequest& request);
  // The same for a raw query string (without '?') and the value of the
  // X-Prometheus-Scrape-Timeout-Seconds header ("" when absent).
  HttpResponse Handle(std::string_view query, std::string_view scrape_timeout_header);

 private:
  HttpResponse ServeScheduled(const ProbeRequest& request, const ScheduledProbe& scheduled) const;
  HttpResponse ServeAdHoc(const ProbeRequest& request, const std::string& target);

  const ProbeBackend& backend_;
  std::atomic<int> ad_hoc_in_flight_{0};  // ad-hoc probes running (or being refused) now
};

}  // namespace hostwatch
