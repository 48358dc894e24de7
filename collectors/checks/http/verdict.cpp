#include "collectors/checks/http/verdict.h"
#include "collectors/core/parse_util.h"

#include <strings.h>

#include <algorithm>

namespace hostwatch {
namespace {

// Values of one header, compared case-insensitively by name.
std::vector<std::string_view> HeaderValues(const ResponseFacts& r, const std::string& name) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) {
      out.push_back(v);
    }
  }
  return out;
}

bool AnyMatches(const std::vector<std::string_view>& values, const re2::RE2& re) {
  return std::any_of(values.begin(), values.end(), [&](std::string_view v) { return RE2::PartialMatch(v, re); });
}

// The header checks of EvaluateResponse: fail_if_header_matches, then fail_if_header_not_matches.
FailureReason EvaluateHeaders(const HttpCheckConfig& config, const ResponseFacts& r, std::string* why) {
  for (const HeaderMatch& m : config.fail_if_header_matches) {
    std::vector<std::string_view> values = HeaderValues(r, m.header);
    if (values.empty() && !m.allow_missing) {
      *why = "missing required header " + m.header;
      return FailureReason::kRegex;
    }
    if (AnyMatches(values, *m.regexp.re)) {
      *why = "header " + m.header + " matched regular expression " + m.regexp.pattern;
      return FailureReason::kRegex;
    }
  }
  for (const HeaderMatch& m : config.fail_if_header_not_matches) {
    std::vector<std::string_view> values = HeaderValues(r, m.header);
    if (values.empty()) {
      if (m.allow_missing) {
        continue;
      }
      *why = "missing required header " + m.header;
      return FailureReason::kRegex;
    }
    if (!AnyMatches(values, *m.regexp.re)) {
      *why = "header " + m.header + " did not match regular expression " + m.regexp.pattern;
      return FailureReason::kRegex;
    }
  }
  return FailureReason::kNone;
}

}  // namespace

HeaderLine ParseHeaderLine(std::string_view raw) {
  HeaderLine out;
  std::string_view line = TrimSpace(raw);
  if (line.rfind("HTTP/", 0) == 0) {
    out.kind = HeaderLine::Kind::kStatus;
    out.value = line;
  } else if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    out.kind = HeaderLine::Kind::kField;
    out.name = TrimSpace(line.substr(0, colon));
    out.value = TrimSpace(line.substr(colon + 1));
  }
  return out;
}

FailureReason ReasonForCurlCode(CURLcode code, bool body_limit_hit) {
  switch (code) {
    case CURLE_OK:
      return FailureReason::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return FailureReason::kDns;
    case CURLE_COULDNT_CONNECT:
      return FailureReason::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return FailureReason::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return FailureReason::kTls;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return FailureReason::kTlsVerify;
    case CURLE_TOO_MANY_REDIRECTS:
      return FailureReason::kRedirectLoop;
    case CURLE_FILESIZE_EXCEEDED:
      return FailureReason::kBodyTooLarge;
    case CURLE_WRITE_ERROR:
      return body_limit_hit ? FailureReason::kBodyTooLarge : FailureReason::kOther;
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return FailureReason::kProtocol;
    default:
      return FailureReason::kOther;
  }
}

bool StatusAccepted(const std::vector<StatusRange>& ranges, long status) {
  if (ranges.empty()) {
    return status >= 200 && status <= 299;
  }
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const StatusRange& r) { return status >= r.low && status <= r.high; });
}

FailureReason EvaluateResponse(const HttpCheckConfig& config, const ResponseFacts& r, std::string* why) {
  if (!StatusAccepted(config.valid_status_codes, r.status_code)) {
    *why = "invalid HTTP response status code " + std::to_string(r.status_code);
    return FailureReason::kStatusCode;
  }
  if (FailureReason headers = EvaluateHeaders(config, r, why); headers != FailureReason::kNone) {
    return headers;
  }
  for (const CheckRegex& re : config.fail_if_body_matches_regexp) {
    if (RE2::PartialMatch(r.body, *re.re)) {
      *why = "body matched regular expression " + re.pattern;
      return FailureReason::kRegex;
    }
  }
  for (const CheckRegex& re : config.fail_if_body_not_matches_regexp) {
    if (!RE2::PartialMatch(r.body, *re.re)) {
      *why = "body did not match regular expression " + re.pattern;
      return FailureReason::kRegex;
    }
  }
  if (!config.valid_http_versions.empty() &&
      std::find(config.valid_http_versions.begin(), config.valid_http_versions.end(), r.http_version) ==
          config.valid_http_versions.end()) {
    *why = "invalid HTTP version " + r.http_version;
    return FailureReason::kHttpVersion;
  }
  if (config.fail_if_ssl && r.ssl) {
    *why = "final response came over TLS and fail_if_ssl is set";
    return FailureReason::kSslForbidden;
  }
  if (config.fail_if_not_ssl && !r.ssl) {
    *why = "final response did not come over TLS and fail_if_not_ssl is set";
    return FailureReason::kSslRequired;
  }
  return FailureReason::kNone;
}

std::string HttpVersionString(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return "HTTP/1.0";
    case CURL_HTTP_VERSION_1_1:
      return "HTTP/1.1";
    case CURL_HTTP_VERSION_2_0:
      return "HTTP/2.0";
    case CURL_HTTP_VERSION_3:
      return "HTTP/3.0";
    default:
      return "";
  }
}

double HttpVersionNumber(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return 1.0;
    case CURL_HTTP_VERSION_1_1:
      return 1.1;
    case CURL_HTTP_VERSION_2_0:
      return 2;
    case CURL_HTTP_VERSION_3:
      return 3;
    default:
      return 0;
  }
}

}  // namespace hostwatch
