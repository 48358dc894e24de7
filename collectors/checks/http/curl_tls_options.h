// The TLS options of a libcurl transfer from a check's tls settings, one
// place for every prober that runs over libcurl (HTTP checks, gRPC checks).
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>

#include "collectors/checks/check_config.h"
#include "collectors/core/curl_api.h"

namespace hostwatch {

// Peer and host verification (both off with insecure_skip_verify), the CA
// file, the client certificate and key, and the minimum version (TLS 1.2
// unless min_version says otherwise: blackbox's default). SNI and the name
// verified are the URL's host; tls.server_name is the caller's business.
void SetCurlTlsOptions(const CurlApi& curl, CURL* easy, const CheckTlsConfig& tls);

// host as a URL or CURLOPT_CONNECT_TO writes it: an IPv6 literal in brackets (once).
std::string BracketedHost(const std::string& host);

// How a transfer presents tls_config.server_name (Go's tls.Config.ServerName: the SNI and the
// name the certificate must carry, nothing else). libcurl takes both from the URL's host, so the
// request goes to `url` (server_name as its host), CURLOPT_CONNECT_TO gets `connect_to` to send
// the connection to the real host, and `host_header` keeps the real host in Host.
struct ServerNameRoute {
  std::string url;
  std::string connect_to;   // "<server_name>:<port>:<real host>:<port>"
  std::string host_header;  // "Host: <real host>[:<port> unless 443]"
};

// nullopt when `url` does not parse or server_name is not a valid host.
std::optional<ServerNameRoute> RouteToServerName(const CurlApi& curl, const std::string& url,
                                                 const std::string& server_name);

}  // namespace hostwatch
