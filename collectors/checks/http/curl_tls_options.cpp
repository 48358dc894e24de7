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

// A string libcurl allocated, freed with it.
struct CurlString {
  const CurlApi& curl;
  char* text = nullptr;
  ~CurlString() { curl.free(text); }
};

}  // namespace

std::string BracketedHost(const std::string& host) {
  return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}

void SetCurlTlsOptions(const CurlApi& curl, CURL* e, const CheckTlsConfig& tls) {
  curl.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  curl.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
  curl.easy_setopt(e, CURLOPT_CAINFO, tls.ca_file.empty() ? nullptr : tls.ca_file.c_str());
  curl.easy_setopt(e, CURLOPT_SSLCERT, tls.cert_file.empty() ? nullptr : tls.cert_file.c_str());
  curl.easy_setopt(e, CURLOPT_SSLKEY, tls.key_file.empty() ? nullptr : tls.key_file.c_str());
  curl.easy_setopt(e, CURLOPT_SSLVERSION, MinTlsVersion(tls.min_version));
}

std::optional<ServerNameRoute> RouteToServerName(const CurlApi& curl, const std::string& url,
                                                 const std::string& server_name) {
  CURLU* h = curl.url();
  if (h == nullptr) {
    return std::nullopt;
  }
  CurlString host{curl}, port{curl}, rewritten{curl};
  const std::string name = BracketedHost(server_name);
  const bool ok = curl.url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
                  curl.url_get(h, CURLUPART_HOST, &host.text, 0) == CURLUE_OK &&
                  curl.url_get(h, CURLUPART_PORT, &port.text, CURLU_DEFAULT_PORT) == CURLUE_OK &&
                  curl.url_set(h, CURLUPART_HOST, name.c_str(), 0) == CURLUE_OK &&
                  curl.url_get(h, CURLUPART_URL, &rewritten.text, 0) == CURLUE_OK;
  curl.url_cleanup(h);
  if (!ok) {
    return std::nullopt;
  }
  const std::string real = BracketedHost(host.text);
  const std::string p = port.text;
  return ServerNameRoute{rewritten.text, name + ":" + p + ":" + real + ":" + p,
                         "Host: " + real + (p == "443" ? "" : ":" + p)};
}

}  // namespace hostwatch
