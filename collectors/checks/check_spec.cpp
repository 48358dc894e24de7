#include "collectors/checks/check_spec.h"

#include <utility>

#include "collectors/checks/http/redact_url.h"

namespace hostwatch {

const char* ProberKindName(ProberKind kind) {
  switch (kind) {
    case ProberKind::kHttp:
      return "http";
    case ProberKind::kTcp:
      return "tcp";
    case ProberKind::kGrpc:
      return "grpc";
    case ProberKind::kDns:
      return "dns";
    case ProberKind::kIcmp:
      return "icmp";
  }
  return "http";
}

CheckKey KeyOf(const CheckSpec& spec) {
  return spec.from_module ? CheckKey{spec.name, spec.target} : CheckKey{spec.name, ""};
}

std::shared_ptr<const CheckSpec> HttpCheckSpec(std::shared_ptr<const HttpCheckConfig> config) {
  auto spec = std::make_shared<CheckSpec>();
  spec->prober = ProberKind::kHttp;
  spec->name = config->name;
  spec->target = RedactUrl(config->url, config->redact_query_params);
  spec->interval = config->interval;
  spec->timeout = config->timeout;
  spec->jitter = config->jitter;
  spec->latency_buckets = config->latency_buckets;
  spec->labels = config->labels;
  spec->fingerprint = config->fingerprint;
  spec->http = std::move(config);
  return spec;
}

}  // namespace hostwatch
