// The TLS options of a libcurl transfer from a check's tls settings, one
// place for every prober that runs over libcurl (HTTP checks, gRPC checks).
#pragma once

#include <curl/curl.h>

#include "collectors/checks/check_config.h"
#include "collectors/core/curl_api.h"

namespace hostwatch {

// Peer and host verification (both off with insecure_skip_verify), the CA
// file, the client certificate and key, and the minimum version (TLS 1.2
// unless min_version says otherwise: blackbox's default). SNI and the name
// verified are the URL's host; tls.server_name is the caller's business.
void SetCurlTlsOptions(const CurlApi& curl, CURL* easy, const CheckTlsConfig& tls);

}  // namespace hostwatch
