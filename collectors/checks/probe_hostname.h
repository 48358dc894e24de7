// The `hostname` parameter of /probe (blackbox_exporter 0.20+ for http): the
// name an ad-hoc probe of an IP (or any) target presents, as the Host header
// and, unless the module sets tls.server_name, as the TLS server name that is
// sent (SNI) and verified. It never changes where the probe connects: the
// target's URL does, and the allow-list judges that (target_policy.h).
//
// Caller-controlled text that ends up in a request header, so it is held to
// the shape of a host: ASCII letters, digits, '.', '-', '_', an IP literal,
// an optional ":port"; no whitespace, control characters, '/', '@' or '%'.
//
// Pure functions; safe on any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hostwatch {

struct ProbeHostname {
  std::string host_header;  // the parameter as given ("api.example.org", "api.example.org:8443")
  std::string server_name;  // the host part, lower case; IPv6 in brackets
};

// Parses the parameter; nullopt with *why set (one line, quoting it) when it
// is not a host[:port].
std::optional<ProbeHostname> ParseProbeHostname(const std::string& hostname, std::string* why);

// blackbox's rule: a module whose headers set Host to another value cannot
// take a hostname parameter. Returns "" when they agree (or the module sets
// no Host), else the refusal, worded as blackbox words it (without the
// module's value: header values are never shown).
std::string HostHeaderConflict(const std::vector<std::pair<std::string, std::string>>& module_headers,
                               const std::string& hostname);

}  // namespace hostwatch
