#include "collectors/checks/probe_hostname.h"

#include <strings.h>

#include "collectors/checks/target_policy.h"

namespace hostwatch {
namespace {

bool HostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == ':' || c == '[' || c == ']';
}

}  // namespace

std::optional<ProbeHostname> ParseProbeHostname(const std::string& hostname, std::string* why) {
  // 253 for the name, 2 brackets, 6 for ":65535": anything longer is no host.
  constexpr std::size_t kMaxLength = 261;
  const std::string quoted = "invalid hostname \"" + hostname.substr(0, 80) + "\": ";
  if (hostname.empty() || hostname.size() > kMaxLength) {
    *why = quoted + "must be a host name or IP address of at most 253 characters, optionally with :port";
    return std::nullopt;
  }
  for (char c : hostname) {
    if (!HostChar(c)) {
      // Also keeps CR/LF out of the Host header; IDNs go in their xn-- form, as in allowed_targets.
      *why = quoted + "only ASCII letters, digits, '.', '-', '_' and an IP literal with an optional :port";
      return std::nullopt;
    }
  }
  std::string url_error;
  std::optional<TargetHost> parsed = ParseTargetUrl("http://" + hostname + "/", &url_error);
  if (!parsed) {
    *why = quoted + "not a host[:port]";
    return std::nullopt;
  }
  ProbeHostname out;
  out.host_header = hostname;
  const bool v6 = parsed->is_ip && parsed->host.find(':') != std::string::npos;
  out.server_name = v6 ? "[" + parsed->host + "]" : parsed->host;
  return out;
}

std::string HostHeaderConflict(const std::vector<std::pair<std::string, std::string>>& module_headers,
                               const std::string& hostname) {
  for (const auto& [name, value] : module_headers) {
    if (strcasecmp(name.c_str(), "Host") == 0 && value != hostname) {
      // The module's value is not quoted: header values may hold secrets and are never shown.
      return "host header defined both in module configuration and with URL-parameter 'hostname' (" + hostname + ")";
    }
  }
  return "";
}

}  // namespace hostwatch
