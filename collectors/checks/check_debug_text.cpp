#include "collectors/checks/check_debug_text.h"

#include "collectors/checks/http/redact_url.h"
#include "collectors/checks/icmp/icmp_module.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "collectors/core/collector_options.h"
#include "collectors/core/strings.h"

namespace hostwatch {

std::string RedactedConfigText(const HttpCheckConfig& c) {
  std::string out = "name: " + c.name + "\nurl: " + RedactUrl(c.url, c.redact_query_params) + "\nmethod: " + c.method +
                    "\ninterval: " + FormatDuration(c.interval) + "\ntimeout: " + FormatDuration(c.timeout) +
                    "\nfollow_redirects: " + (c.follow_redirects ? "true" : "false") +
                    "\nmax_redirects: " + std::to_string(c.max_redirects) +
                    "\nfollow_redirects_keep_headers: " + (c.follow_redirects_keep_headers ? "true" : "false") +
                    "\npreferred_ip_protocol: " + c.preferred_ip_protocol + "\n";
  if (!c.redact_query_params.empty()) {
    out += "redact_query_params: [" + Join(c.redact_query_params, ", ") + "]\n";
  }
  if (!c.headers.empty()) {
    out += "headers:\n";
    for (const auto& [k, v] : c.headers) {
      out += "  " + k + ": <secret>\n";  // header values often carry credentials
    }
  }
  if (c.basic_auth) {
    out += "basic_auth: {username: " + c.basic_auth->username + ", password: <secret>}\n";
  }
  if (!c.bearer_token.empty()) {
    out += "bearer_token: <secret>\n";
  }
  return out;
}

std::string RedactedConfigText(const CheckSpec& spec) {
  if (spec.http) {
    return RedactedConfigText(*spec.http);
  }
  std::string out = "module: " + spec.name + "\ntarget: " + spec.target + "\nprober: " + ProberKindName(spec.prober) +
                    "\ninterval: " + FormatDuration(spec.interval) + "\ntimeout: " + FormatDuration(spec.timeout) + "\n";
  if (spec.prober == ProberKind::kIcmp && spec.icmp) {
    return out + IcmpModuleText(*spec.icmp);
  }
  if (!spec.tcp || spec.prober != ProberKind::kTcp) {
    return out;
  }
  const TcpModule& m = *spec.tcp;
  out += "tcp:\n  preferred_ip_protocol: " + m.preferred_ip_protocol +
         "\n  ip_protocol_fallback: " + (m.ip_protocol_fallback ? "true" : "false") +
         "\n  tls: " + (m.tls ? "true" : "false") + "\n";
  if (!m.source_ip_address.empty()) {
    out += "  source_ip_address: " + m.source_ip_address + "\n";
  }
  if (!m.query_response.empty()) {
    out += "  query_response:\n";
  }
  for (const QueryResponseStep& step : m.query_response) {
    out += "  - expect: " + step.expect.pattern + "\n    send: " + (step.send.empty() ? "\"\"" : "<not shown>") +
           "\n    starttls: " + (step.starttls ? "true" : "false") + "\n";
    for (std::size_t i = 0; i < step.labels.size(); ++i) {
      out += (i == 0 ? "    labels:\n" : "") + std::string("    - {name: ") + step.labels[i].name + ", value: \"" +
             step.labels[i].value + "\"}\n";
    }
  }
  return out;
}

}  // namespace hostwatch
