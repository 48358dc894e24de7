#include "collectors/checks/http/curl_tls_options.h"

namespace hostwatch {
namespace {

long MinTlsVersion(const std::string& min_version) {
  if (min_version == "TLS10") {
    return CURL_SSLVERSION_TLSv1_0;
  }
  if (min_version == "TLS11") {
    return CURL_SSLVERSION_TLSv1_1;
  }
  if (min_version == "TLS13") {
    return CURL_SSLVERSION_TLSv1_3;
  }
  return CURL_SSLVERSION_TLSv1_2;  // blackbox's default minimum
}

}  // namespace

void SetCurlTlsOptions(const CurlApi& curl, CURL* e, const CheckTlsConfig& tls) {
  curl.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  curl.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
  curl.easy_setopt(e, CURLOPT_CAINFO, tls.ca_file.empty() ? nullptr : tls.ca_file.c_str());
  curl.easy_setopt(e, CURLOPT_SSLCERT, tls.cert_file.empty() ? nullptr : tls.cert_file.c_str());
  curl.easy_setopt(e, CURLOPT_SSLKEY, tls.key_file.empty() ? nullptr : tls.key_file.c_str());
  curl.easy_setopt(e, CURLOPT_SSLVERSION, MinTlsVersion(tls.min_version));
}

}  // namespace hostwatch
