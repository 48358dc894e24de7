// ReloadState: the outcome of configuration reloads, for /metrics and the
// status page.
//   hostwatch_config_last_reload_successful, ..._last_reload_success_timestamp_seconds
//   hostwatch_web_config_last_reload_successful (only with --web.config.file)
//
// Thread-safe: the reload path (main thread, /-/reload) records, HTTP workers
// read. Each value is its own atomic; Reload() publishes the result before it
// swaps the configuration in, so a scrape that sees the new configuration also
// sees its reload reported as successful.
#pragma once

#include <atomic>

#include "agent/web/web_security.h"
#include "collectors/core/metric_source.h"

namespace hostwatch {

class ReloadState : public MetricSource {
 public:
  ReloadState() = default;
  ReloadState(const ReloadState&) = delete;
  ReloadState& operator=(const ReloadState&) = delete;
  ReloadState(ReloadState&&) = delete;
  ReloadState& operator=(ReloadState&&) = delete;

  // Records a successful load at unix time now_seconds.
  void Succeeded(double now_seconds) {
    ok_ = true;
    success_time_ = now_seconds;
  }
  // Records a failed reload; the last success time stays.
  void Failed() { ok_ = false; }

  // The web config whose reloads are reported; null (the default) or one
  // without a file reports none. Set before serving; not owned, must outlive
  // every Collect().
  void SetWebSecurity(const WebSecurity* security) { security_ = security; }

  bool last_reload_ok() const { return ok_.load(); }
  double last_reload_success_time() const { return success_time_.load(); }  // 0 = never

  void Collect(MetricSink& sink) const override;

 private:
  std::atomic<bool> ok_{true};
  std::atomic<double> success_time_{0};
  const WebSecurity* security_ = nullptr;
};

}  // namespace hostwatch
