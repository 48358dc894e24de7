// HttpChecker's answers to the rest of the agent: its series for /metrics, a
// check's last result for /probe, ad-hoc probes, the status page's summaries.
// The scheduling half is http_checker.cpp.
#include <utility>

#include "collectors/checks/adhoc_module_run.h"
#include "collectors/checks/check_metrics.h"
#include "collectors/checks/checker_state.h"
#include "collectors/checks/http/blocking_probe.h"
#include "collectors/checks/http/redact_url.h"
#include "collectors/checks/http_checker.h"
#include "collectors/checks/probe_hostname.h"
#include "collectors/checks/module_checks.h"
#include "collectors/core/strings.h"

namespace hostwatch {

void HttpChecker::Collect(MetricSink& out) const {
  // A sink of our own: its descriptors (CheckDescs) may be freed by a reload
  // once the lock is released, and the caller's sink would keep their addresses.
  MetricSink sink;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, s] : checks_) {
      if (s->history.has_result()) {
        AddCheckSeries(CheckSeries{key.first, *s->descs, s->label_values, s->history, s->skipped}, sink);
      }
    }
    AddSchedulerSeries(SchedulerSeries{in_flight_, delay_bucket_counts_, delay_sum_, delay_count_}, sink);
  }
  for (prometheus::MetricFamily& f : sink.TakeFamilies()) {
    out.AddFamily(std::move(f));
  }
}

const HttpChecker::CheckState* HttpChecker::FindCheck(const std::string& check, const std::string& target) const {
  const CheckState* first = nullptr;
  for (auto it = checks_.lower_bound(CheckKey{check, ""}); it != checks_.end() && it->first.first == check; ++it) {
    const CheckSpec& spec = *it->second->spec;
    if (!target.empty() && (spec.target == target || (spec.http && spec.http->url == target))) {
      return it->second.get();
    }
    first = first != nullptr ? first : it->second.get();
  }
  return first;
}

std::optional<CheckResultView> HttpChecker::LastResult(const std::string& check, const std::string& target,
                                                       bool with_history) const {
  std::lock_guard<std::mutex> lock(mu_);
  const CheckState* found = FindCheck(check, target);
  if (found == nullptr) {
    return std::nullopt;
  }
  const CheckState& s = *found;
  CheckResultView view;
  view.spec = s.spec;
  view.config = s.spec->http;
  if (s.history.has_result()) {
    view.last = s.history.last();
  }
  if (with_history) {
    view.history.assign(s.history.records().begin(), s.history.records().end());
  }
  view.unavailable_reason = unavailable_reason_;
  return view;
}

AdHocPlan HttpChecker::PlanAdHoc(const std::string& check, const std::string& target, const std::string& hostname,
                                 std::optional<double> scrape_timeout_seconds) const {
  AdHocPlan plan;
  std::shared_ptr<const HttpCheckConfig> http;
  std::shared_ptr<const CheckModule> module;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A module of modules: is probed with its own settings, scheduled or not; an http_checks check with its.
    auto m = modules_.find(check);
    const CheckState* found = m == modules_.end() ? FindCheck(check, "") : nullptr;
    if (m == modules_.end() && found == nullptr) {
      plan.refusal = AdHocRefusal::kUnknownCheck;
      return plan;
    }
    if (found != nullptr) {
      http = found->spec->http;
    } else {
      module = m->second;
    }
    plan.settings = probe_targets_;
  }
  if (!plan.settings->enabled) {
    plan.refusal = AdHocRefusal::kDisabled;
  } else if (module && module->prober != ProberKind::kHttp) {
    PlanModuleAdHoc(check, *module, target, hostname, scrape_timeout_seconds, &plan);
  } else {
    PlanHttpAdHoc(check, http ? *http : *module->http, target, hostname, scrape_timeout_seconds, &plan);
  }
  return plan;
}

void HttpChecker::PlanHttpAdHoc(const std::string& check, const HttpCheckConfig& module, const std::string& target,
                                const std::string& hostname, std::optional<double> scrape_timeout_seconds,
                                AdHocPlan* plan) {
  if (!module.proxy_url.empty() || module.proxy_from_environment) {
    // Through a proxy the connected address is the proxy's: the allow-list could not be enforced.
    plan->refusal = AdHocRefusal::kBadTarget;
    plan->detail = "Module \"" + check + "\" uses proxy_url; ad-hoc targets cannot be probed through a proxy";
    return;
  }
  std::string url = ProbeTargetUrl(target);
  std::string why;
  std::optional<TargetHost> host = ParseTargetUrl(url, &why);
  if (!host) {
    plan->refusal = AdHocRefusal::kBadTarget;
    plan->detail = "Invalid target \"" + RedactUrl(url, module.redact_query_params) + "\": " + why;
    return;
  }
  if (plan->settings->policy.CheckUrl(*host, &why) == TargetPolicy::Verdict::kDenied) {
    plan->refusal = AdHocRefusal::kForbidden;
    plan->detail = why;
    return;
  }
  plan->module_url = module.url;
  auto probe = std::make_shared<HttpCheckConfig>(module);
  probe->url = std::move(url);
  probe->timeout = EffectiveProbeTimeout(module.timeout, scrape_timeout_seconds, plan->settings->timeout_offset);
  if (!hostname.empty() && !ApplyHostname(hostname, probe.get(), plan)) {
    return;
  }
  plan->module = std::move(probe);
}

void HttpChecker::PlanModuleAdHoc(const std::string& check, const CheckModule& module, const std::string& target,
                                  const std::string& hostname, std::optional<double> scrape_timeout_seconds,
                                  AdHocPlan* plan) {
  std::string why;
  std::optional<TargetHost> host = ModuleTargetHost(module, target, &why);
  if (!hostname.empty() || !host) {
    plan->refusal = AdHocRefusal::kBadTarget;
    plan->detail = !hostname.empty() ? "The hostname parameter applies to http modules only; module \"" + check +
                                           "\" is a " + ProberKindName(module.prober) + " module"
                                     : "Invalid target \"" + target + "\" for module \"" + check + "\": " + why;
    return;
  }
  plan->verdict = plan->settings->policy.CheckUrl(*host, &why);
  if (plan->verdict == TargetPolicy::Verdict::kDenied) {
    plan->refusal = AdHocRefusal::kForbidden;
    plan->detail = why;
    return;
  }
  auto spec = std::make_shared<CheckSpec>(*ModuleCheckSpec(check, module, target, module.timeout, {}));
  spec->timeout = EffectiveProbeTimeout(module.timeout, scrape_timeout_seconds, plan->settings->timeout_offset);
  plan->spec = std::move(spec);
}

bool HttpChecker::ApplyHostname(const std::string& hostname, HttpCheckConfig* probe, AdHocPlan* plan) {
  std::string why;
  std::optional<ProbeHostname> parsed = ParseProbeHostname(hostname, &why);
  if (parsed) {
    why = HostHeaderConflict(probe->headers, hostname);
  }
  if (!why.empty()) {
    plan->refusal = AdHocRefusal::kBadTarget;
    plan->detail = std::move(why);
    return false;
  }
  plan->host_header = parsed->host_header;
  if (probe->tls.server_name.empty()) {
    // blackbox: the Host header names the TLS server unless the module's tls_config does.
    probe->tls.server_name = parsed->server_name;
  }
  return true;
}

bool HttpChecker::HasModule(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return modules_.count(name) != 0;
}

ProbeResult HttpChecker::RunAdHoc(const AdHocPlan& plan) const {
  if (plan.spec) {
    return RunModuleProbe(*plan.spec, AddressGuard{&plan.settings->policy, plan.verdict}, &ad_hoc_abort_);
  }
  const AdHocTargetRules rules{&plan.settings->policy, plan.module_url, plan.host_header};
  return RunProbeBlocking(*plan.module, &rules, &ad_hoc_abort_);
}

std::vector<CheckSummary> HttpChecker::Summaries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CheckSummary> out;
  const double now = WallClockSeconds();
  for (const auto& [key, s] : checks_) {
    out.push_back(s->history.Summarize(key.first, s->spec->target, now));
  }
  return out;
}

std::uint64_t HttpChecker::CompletedRunsForTest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_runs_;
}

}  // namespace hostwatch
