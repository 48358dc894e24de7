#include "collectors/checks/http/redact_url.h"

#include <algorithm>

#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

constexpr std::string_view kRedacted = "xxxxx";

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// The name as a server reads it: %XX decoded (so "%74oken" is "token") and lower-cased.
std::string NameForMatching(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size() && HexValue(name[i + 1]) >= 0 && HexValue(name[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(name[i + 1]) * 16 + HexValue(name[i + 2]));
      i += 2;
    } else {
      out += name[i];
    }
  }
  return AsciiToLower(out);
}

bool IsSecretName(std::string_view name, const std::vector<std::string>& extra) {
  const std::string n = NameForMatching(name);
  const std::vector<std::string_view>& defaults = DefaultSecretQueryParams();
  return std::find(defaults.begin(), defaults.end(), n) != defaults.end() ||
         std::any_of(extra.begin(), extra.end(), [&](const std::string& e) { return EqualsIgnoreAsciiCase(e, n); });
}

// Appends params ("a=1&token=2;b") to out with the values of secret names redacted.
void AppendRedactedParams(std::string_view params, const std::vector<std::string>& extra, std::string* out) {
  std::size_t start = 0;
  while (start <= params.size()) {
    std::size_t end = params.find_first_of("&;", start);
    if (end == std::string_view::npos) {
      end = params.size();
    }
    std::string_view param = params.substr(start, end - start);
    std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && eq + 1 < param.size() && IsSecretName(param.substr(0, eq), extra)) {
      *out += param.substr(0, eq + 1);
      *out += kRedacted;
    } else {
      *out += param;
    }
    if (end < params.size()) {
      *out += params[end];
    }
    start = end + 1;
  }
}

// url with the userinfo's password redacted; auth_end is where the authority ends.
std::string RedactPassword(const std::string& url, std::size_t auth_start, std::size_t auth_end) {
  std::size_t at = url.rfind('@', auth_end);
  if (at == std::string::npos || at < auth_start) {
    return url;
  }
  std::size_t colon = url.find(':', auth_start);
  if (colon == std::string::npos || colon > at) {
    return url;
  }
  return url.substr(0, colon + 1) + std::string(kRedacted) + url.substr(at);
}

}  // namespace

const std::vector<std::string_view>& DefaultSecretQueryParams() {
  // The names issue 16 listed, the OAuth ones (RFC 6749/6750: access_token in a query string is
  // how a bearer token is passed without a header) and the signature parts of S3/GCS presigned URLs.
  static const std::vector<std::string_view> kNames = {"access_token",
                                                       "api-key",
                                                       "api_key",
                                                       "apikey",
                                                       "auth",
                                                       "auth_token",
                                                       "client_secret",
                                                       "id_token",
                                                       "key",
                                                       "passwd",
                                                       "password",
                                                       "pwd",
                                                       "refresh_token",
                                                       "secret",
                                                       "sig",
                                                       "signature",
                                                       "token",
                                                       "x-amz-credential",
                                                       "x-amz-security-token",
                                                       "x-amz-signature",
                                                       "x-goog-credential",
                                                       "x-goog-signature"};
  return kNames;
}

std::string RedactUrl(const std::string& url, const std::vector<std::string>& extra_secret_params) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return url;
  }
  std::size_t auth_start = scheme_end + 3;
  std::size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string::npos) {
    auth_end = url.size();
  }
  std::string out = RedactPassword(url, auth_start, auth_end);
  // The password's redaction may have changed the length: find the parts again.
  std::size_t query = out.find_first_of("?#", std::min(out.size(), auth_start));
  if (query == std::string::npos) {
    return out;
  }
  std::string redacted = out.substr(0, query);
  while (query < out.size()) {
    // One part: "?query" or "#fragment" (a fragment is never sent, but an OAuth
    // implicit-flow URL carries access_token there, and it is shown all the same).
    std::size_t next = out[query] == '?' ? out.find('#', query + 1) : std::string::npos;
    if (next == std::string::npos) {
      next = out.size();
    }
    redacted += out[query];
    AppendRedactedParams(std::string_view(out).substr(query + 1, next - query - 1), extra_secret_params, &redacted);
    query = next;
  }
  return redacted;
}

}  // namespace hostwatch
