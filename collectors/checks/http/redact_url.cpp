#include "collectors/checks/http/redact_url.h"

namespace hostwatch {

std::string RedactUrl(const std::string& url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return url;
  }
  std::size_t auth_start = scheme_end + 3;
  std::size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string::npos) {
    auth_end = url.size();
  }
  std::size_t at = url.rfind('@', auth_end);
  if (at == std::string::npos || at < auth_start) {
    return url;
  }
  std::size_t colon = url.find(':', auth_start);
  if (colon == std::string::npos || colon > at) {
    return url;
  }
  return url.substr(0, colon + 1) + "xxxxx" + url.substr(at);
}

}  // namespace hostwatch
