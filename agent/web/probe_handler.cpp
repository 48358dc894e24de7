#include "agent/web/probe_handler.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

constexpr const char* kPlainText = "text/plain; charset=utf-8";

HttpResponse Answer(int status, std::string content_type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.allow_gzip = true;
  return r;
}

HttpResponse Refuse(int status, const std::string& why) { return Answer(status, kPlainText, why + "\n"); }

// blackbox's debug=true page: the run's log, its metrics, the module (secrets redacted).
std::string DebugPage(const ProbeReport& report) {
  std::string out = "Logs for the probe:\n";
  for (const std::string& line : report.log) {
    out += line + "\n";
  }
  out += "\n\n\nMetrics that would have been returned:\n" + report.metrics_text;
  out += "\n\n\nModule configuration:\n" + report.module_text;
  return out;
}

std::string RecentRuns(const std::vector<ProbeRunLine>& history) {
  std::string out = "\n\n\nRecent runs (oldest first):\n";
  for (const ProbeRunLine& h : history) {
    char line[160];
    std::snprintf(line, sizeof(line), "start=%.3f success=%d reason=%s duration_seconds=%.6f status_code=%ld\n",
                  h.start_unix, h.success ? 1 : 0, h.reason.c_str(), h.duration_seconds, h.status_code);
    out += line;
  }
  return out;
}

HttpResponse Report(const ProbeReport& report, bool debug, const std::vector<ProbeRunLine>* history) {
  if (!debug) {
    return Answer(200, std::string(kTextContentType), report.metrics_text);
  }
  std::string body = DebugPage(report);
  if (history != nullptr) {
    body += RecentRuns(*history);
  }
  return Answer(200, kPlainText, std::move(body));
}

std::string UnknownModule(const std::string& module) { return "Unknown module \"" + module + "\""; }

// Holds one of the ad-hoc probe places for its lifetime.
class Slot {
 public:
  explicit Slot(std::atomic<int>& in_flight) : in_flight_(in_flight), position_(++in_flight) {}
  ~Slot() { --in_flight_; }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  int position() const { return position_; }  // 1 for the first probe running

 private:
  std::atomic<int>& in_flight_;
  const int position_;
};

}  // namespace

HttpResponse ProbeHandler::Handle(const HttpRequest& request) {
  return Handle(request.query, request.Header("X-Prometheus-Scrape-Timeout-Seconds"));
}

HttpResponse ProbeHandler::Handle(std::string_view query, std::string_view scrape_timeout_header) {
  Result<ProbeRequest> parsed = ParseProbeRequest(query, scrape_timeout_header);
  if (!parsed.ok()) {
    HttpResponse r;
    r.status = 400;
    r.body = parsed.status().message();
    return r;
  }
  const ProbeRequest& probe = parsed.value();
  std::optional<ScheduledProbe> scheduled = backend_.Scheduled(probe.module, probe.target, probe.debug);
  if (!scheduled) {
    return Refuse(400, UnknownModule(probe.module));
  }
  // The check's own URL (stock blackbox scrape configs pass target=) is its
  // scheduled result; anything else is a probe of a caller-chosen target. A
  // hostname asks for a probe the schedule never ran (another Host, another
  // TLS name), so it is always ad-hoc, of the check's own URL when no target.
  const std::vector<std::string>& own = scheduled->own_targets;
  if (own.empty() && probe.target.empty()) {
    return Refuse(400, "Target parameter is missing");  // a module no check schedules: blackbox's answer
  }
  const bool own_target = probe.target.empty() || std::find(own.begin(), own.end(), probe.target) != own.end();
  if (own_target && probe.hostname.empty()) {
    return ServeScheduled(probe, *scheduled);
  }
  return ServeAdHoc(probe, probe.target.empty() && !own.empty() ? own.back() : probe.target);
}

HttpResponse ProbeHandler::ServeScheduled(const ProbeRequest& probe, const ScheduledProbe& scheduled) const {
  if (!scheduled.last) {
    return Refuse(503, scheduled.unavailable_reason.empty()
                           ? "Check \"" + probe.module + "\" has not completed a run yet"
                           : "Check \"" + probe.module + "\" cannot run: " + scheduled.unavailable_reason);
  }
  return Report(*scheduled.last, probe.debug, &scheduled.history);
}

HttpResponse ProbeHandler::ServeAdHoc(const ProbeRequest& probe, const std::string& target) {
  AdHocAdmission admission =
      backend_.AdHoc(probe.module, target, probe.hostname, probe.scrape_timeout_seconds, probe.debug);
  switch (admission.refusal) {
    case ProbeRefusal::kNone:
      break;
    case ProbeRefusal::kUnknownModule:
      return Refuse(400, UnknownModule(probe.module));
    case ProbeRefusal::kDisabled:
      return Refuse(400, "Probing arbitrary targets is not enabled: /probe?module=" + probe.module +
                             " serves the configured check's own target only (see http_checks.probe_targets)" +
                             (probe.hostname.empty() ? "" : "; a hostname parameter makes any probe ad-hoc"));
    case ProbeRefusal::kBadTarget:
      return Refuse(400, admission.detail);
    case ProbeRefusal::kForbidden:
      return Refuse(403, "Target refused: " + admission.detail);
  }
  // Bounded: each ad-hoc probe pins an HTTP worker for up to its timeout.
  Slot slot(ad_hoc_in_flight_);
  if (slot.position() > admission.max_concurrent) {
    return Refuse(503, "Too many concurrent ad-hoc probes (probe_targets.max_concurrent = " +
                           std::to_string(admission.max_concurrent) + "); try again later");
  }
  return Report(admission.run(), probe.debug, nullptr);
}

}  // namespace hostwatch
