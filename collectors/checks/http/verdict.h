// The verdict of an HTTP check: from what the transfer reported (a libcurl
// error, or the final response's status, version, headers and body) to
// success or one FailureReason, applying blackbox_exporter's rules in
// blackbox's order. Also the parsing of what libcurl hands over (header
// lines, version codes) into those facts.
//
// Pure functions on values: no I/O, safe on any thread; unit-tested and
// fuzzed (tests/fuzz/fuzz_http_response.cpp).
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/http/probe_result.h"

namespace hostwatch {

// Maps a transfer error to a reason. body_limit_hit: our write callback
// stopped the transfer (libcurl then reports CURLE_WRITE_ERROR).
FailureReason ReasonForCurlCode(CURLcode code, bool body_limit_hit);

// One line as libcurl hands it to the header callback (with its CRLF).
struct HeaderLine {
  enum class Kind {
    kStatus,  // "HTTP/1.1 200 OK": a new response starts (also after 100 Continue)
    kField,   // "Name: value", name and value trimmed of blanks
    kOther,   // the blank end-of-headers line, or a line without a colon
  };
  Kind kind = Kind::kOther;
  std::string_view name;   // kField only
  std::string_view value;  // kField: the value; kStatus: the whole trimmed line
};

// Classifies one raw header line; the views point into raw.
HeaderLine ParseHeaderLine(std::string_view raw);

// What the final response looked like, for the verdict.
struct ResponseFacts {
  long status_code = 0;
  std::string http_version;  // "HTTP/1.1", ...
  bool ssl = false;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, final hop
  std::string_view body;
};

// Applies blackbox's checks in blackbox's order: status, header regexes, body
// regexes, HTTP version, fail_if_ssl / fail_if_not_ssl. Returns kNone when
// the response passes; otherwise sets *why to a one-line explanation.
FailureReason EvaluateResponse(const HttpCheckConfig& config, const ResponseFacts& response, std::string* why);

// True if status is accepted by ranges (empty ranges = 200-299).
bool StatusAccepted(const std::vector<StatusRange>& ranges, long status);

// "HTTP/1.1" etc. from CURLINFO_HTTP_VERSION; numeric value for probe_http_version.
std::string HttpVersionString(long curl_http_version);
double HttpVersionNumber(long curl_http_version);

}  // namespace hostwatch
