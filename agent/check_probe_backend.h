// CheckProbeBackend: the HttpChecker seen through the probe handler's
// ProbeBackend interface: check results rendered as blackbox text, the
// check's debug texts, and ad-hoc probes run with the checker's settings.
//
// Thread-safe as HttpChecker is; holds no state of its own.
#pragma once

#include "agent/web/probe_handler.h"
#include "collectors/checks/http_checker.h"

namespace hostwatch {

class CheckProbeBackend : public ProbeBackend {
 public:
  // checker must outlive the backend.
  explicit CheckProbeBackend(const HttpChecker& checker) : checker_(checker) {}

  std::optional<ScheduledProbe> Scheduled(const std::string& module, const std::string& target,
                                          bool debug) const override;
  AdHocAdmission AdHoc(const std::string& module, const std::string& target, const std::string& hostname,
                       std::optional<double> scrape_timeout_seconds, bool debug) const override;

 private:
  const HttpChecker& checker_;
};

}  // namespace hostwatch
