// libFuzzer target: everything /probe does with caller-controlled text before a
// probe runs. Input = "<raw query string>\n<X-Prometheus-Scrape-Timeout-Seconds value>"
// (no newline: no header). ParseProbeRequest decodes module/target/hostname/debug
// and the header; a hostname goes through ParseProbeHostname and the module Host
// header check; a target then goes the ad-hoc probe path: ProbeTargetUrl (default
// scheme), ParseTargetUrl, an allow-list verdict with every kind of rule,
// RedactUrl, and the effective timeout. Must not crash, hang, leak or trip a sanitizer.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/web/probe_request.h"
#include "collectors/checks/http/redact_url.h"
#include "collectors/checks/probe_hostname.h"
#include "collectors/checks/target_policy.h"

namespace {

const hostwatch::TargetPolicy& Policy() {
  static const hostwatch::TargetPolicy policy = [] {
    std::vector<hostwatch::TargetRule> rules;
    for (const char* entry :
         {"api.example.org", "*.example.net:8443", "127.0.0.1", "10.0.0.0/8:443", "[::1]:9000", "fd00::/8"}) {
      std::string error;
      if (auto rule = hostwatch::ParseTargetRule(entry, &error)) {
        rules.push_back(*rule);
      }
    }
    return hostwatch::TargetPolicy(std::move(rules));
  }();
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view query = input.substr(0, newline);
  const std::string_view header = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  hostwatch::Result<hostwatch::ProbeRequest> request = hostwatch::ParseProbeRequest(query, header);
  if (!request.ok()) {
    return 0;
  }
  if (const std::string& hostname = request.value().hostname; !hostname.empty()) {
    std::string why;
    if (hostwatch::ParseProbeHostname(hostname, &why)) {
      hostwatch::HostHeaderConflict({{"Host", "vhost.example"}, {"X-Other", "1"}}, hostname);
    }
  }
  if (request.value().target.empty()) {
    return 0;
  }
  const std::string url = hostwatch::ProbeTargetUrl(request.value().target);
  hostwatch::RedactUrl(url);
  std::string why;
  if (std::optional<hostwatch::TargetHost> host = hostwatch::ParseTargetUrl(url, &why)) {
    Policy().CheckUrl(*host, &why);
    Policy().CheckAddressText(host->host, host->port);
  }
  hostwatch::EffectiveProbeTimeout(std::chrono::seconds(10), request.value().scrape_timeout_seconds,
                                   std::chrono::milliseconds(500));
  return 0;
}
