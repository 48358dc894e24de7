#include "agent/reload_state.h"

#include "collectors/core/metric_sink.h"

namespace hostwatch {
namespace {

const MetricDesc kReloadOk{"hostwatch_config_last_reload_successful",
                           "Whether the last configuration reload attempt was successful.",
                           MetricType::Gauge,
                           {}};
const MetricDesc kReloadTime{"hostwatch_config_last_reload_success_timestamp_seconds",
                             "Timestamp of the last successful configuration reload.",
                             MetricType::Gauge,
                             {}};
const MetricDesc kWebConfigReloadOk{"hostwatch_web_config_last_reload_successful",
                                    "Whether the last reload of --web.config.file (on change, SIGHUP or /-/reload) "
                                    "succeeded; on failure the previous TLS and auth settings stay in force.",
                                    MetricType::Gauge,
                                    {}};

}  // namespace

void ReloadState::Collect(MetricSink& sink) const {
  sink.Add(kReloadOk, ok_ ? 1 : 0);
  sink.Add(kReloadTime, success_time_.load());
  if (security_ != nullptr && !security_->path().empty()) {
    sink.Add(kWebConfigReloadOk, security_->last_reload_ok() ? 1 : 0);
  }
}

}  // namespace hostwatch
