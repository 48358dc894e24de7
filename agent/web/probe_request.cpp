#include "agent/web/probe_request.h"

#include <civetweb.h>

#include <cmath>
#include <cstdlib>

namespace hostwatch {

std::string QueryParamValue(std::string_view query, const char* name) {
  if (query.empty()) {
    return "";
  }
  // A decoded value is never longer than the query it came from.
  std::string value(query.size() + 1, '\0');
  int n = mg_get_var(query.data(), query.size(), name, value.data(), value.size());
  if (n < 0) {
    return "";
  }
  value.resize(static_cast<std::size_t>(n));
  return value;
}

namespace {

// blackbox's rule: the header must be a positive number of seconds.
Result<double> ParseScrapeTimeout(std::string_view header) {
  const std::string text(header);  // strtod needs a terminated string
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0) {
    return Status::Error("Failed to parse timeout from Prometheus header: \"" + text + "\"\n");
  }
  return seconds;
}

}  // namespace

Result<ProbeRequest> ParseProbeRequest(std::string_view query, std::string_view scrape_timeout_header) {
  ProbeRequest r;
  r.module = QueryParamValue(query, "module");
  if (r.module.empty()) {
    return Status::Error("module parameter is required: /probe?module=<check name>\n");
  }
  r.target = QueryParamValue(query, "target");
  r.hostname = QueryParamValue(query, "hostname");
  r.debug = QueryParamValue(query, "debug") == "true";
  if (!scrape_timeout_header.empty()) {
    Result<double> seconds = ParseScrapeTimeout(scrape_timeout_header);
    if (!seconds.ok()) {
      return seconds.status();
    }
    r.scrape_timeout_seconds = seconds.value();
  }
  return r;
}

}  // namespace hostwatch
