#include "agent/check_probe_backend.h"

#include <utility>

#include "collectors/checks/check_debug_text.h"
#include "collectors/checks/check_metrics.h"

namespace hostwatch {
namespace {

// With debug, also the run's log and the module's text (ProbeBackend::Scheduled).
template <typename Module>
ProbeReport ReportOf(const ProbeResult& result, const Module& module, bool debug) {
  if (!debug) {
    return ProbeReport{RenderProbeText(result), {}, {}};
  }
  return ProbeReport{RenderProbeText(result), result.log, RedactedConfigText(module)};
}

ProbeRefusal RefusalOf(AdHocRefusal r) {
  switch (r) {
    case AdHocRefusal::kNone:
      return ProbeRefusal::kNone;
    case AdHocRefusal::kUnknownCheck:
      return ProbeRefusal::kUnknownModule;
    case AdHocRefusal::kDisabled:
      return ProbeRefusal::kDisabled;
    case AdHocRefusal::kBadTarget:
      return ProbeRefusal::kBadTarget;
    case AdHocRefusal::kForbidden:
      return ProbeRefusal::kForbidden;
  }
  return ProbeRefusal::kBadTarget;
}

}  // namespace

std::optional<ScheduledProbe> CheckProbeBackend::Scheduled(const std::string& module, const std::string& target,
                                                           bool debug) const {
  std::optional<CheckResultView> view = checker_.LastResult(module, target, /*with_history=*/debug);
  if (!view) {
    // A module no check schedules has no own target: every target is probed ad hoc.
    return checker_.HasModule(module) ? std::optional<ScheduledProbe>(ScheduledProbe{}) : std::nullopt;
  }
  ScheduledProbe out;
  out.own_targets = {view->spec->target};
  if (view->config) {
    out.own_targets.push_back(view->config->url);
  }
  if (view->last) {
    out.last = ReportOf(*view->last, *view->spec, debug);
  }
  for (const RunRecord& r : view->history) {
    out.history.push_back(
        ProbeRunLine{r.start_unix, r.success, FailureReasonName(r.reason), r.duration_seconds, r.status_code});
  }
  out.unavailable_reason = std::move(view->unavailable_reason);
  return out;
}

AdHocAdmission CheckProbeBackend::AdHoc(const std::string& module, const std::string& target,
                                        const std::string& hostname, std::optional<double> scrape_timeout_seconds,
                                        bool debug) const {
  AdHocPlan plan = checker_.PlanAdHoc(module, target, hostname, scrape_timeout_seconds);
  AdHocAdmission out;
  out.refusal = RefusalOf(plan.refusal);
  out.detail = std::move(plan.detail);
  if (plan.refusal != AdHocRefusal::kNone) {
    return out;
  }
  out.max_concurrent = plan.settings->max_concurrent;
  out.run = [this, debug, plan = std::move(plan)] {
    const ProbeResult result = checker_.RunAdHoc(plan);
    return plan.spec ? ReportOf(result, *plan.spec, debug) : ReportOf(result, *plan.module, debug);
  };
  return out;
}

}  // namespace hostwatch
