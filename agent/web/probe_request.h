// What a /probe request asks for: the query string (module, target, debug) and
// Prometheus's X-Prometheus-Scrape-Timeout-Seconds header, parsed apart from the
// HTTP server so that this parsing of caller-controlled text can be unit tested
// and fuzzed (tests/fuzz/fuzz_probe_query.cpp) without a connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collectors/core/status.h"

namespace hostwatch {

struct ProbeRequest {
  std::string module;  // the check's name
  std::string target;  // "" = the check's own URL
  std::string hostname;  // blackbox's hostname parameter: Host header and TLS server name; "" = none
  bool debug = false;  // debug=true: the run's log instead of the metrics
  std::optional<double> scrape_timeout_seconds;  // absent header = nullopt
};

// Decoded value (%XX and '+') of the first `name` parameter in a raw query
// string (without '?'), or "" when absent or not decodable; CivetWeb's rules.
std::string QueryParamValue(std::string_view query, const char* name);

// Parses a /probe request (module, target, hostname, debug). On error the status message is the 400 answer's body
// (module missing, or a timeout header that is not a positive finite number).
Result<ProbeRequest> ParseProbeRequest(std::string_view query, std::string_view scrape_timeout_header);

}  // namespace hostwatch
