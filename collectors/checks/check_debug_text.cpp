#include "collectors/checks/check_debug_text.h"

#include "collectors/checks/http/redact_url.h"
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

}  // namespace hostwatch
