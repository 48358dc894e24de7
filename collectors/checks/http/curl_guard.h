// The allow-list of an ad-hoc /probe run (target_policy.h) on a libcurl
// transfer: libcurl's CURLOPT_OPENSOCKETFUNCTION sees the very address it is
// about to connect to (after its own resolution, for every address it tries),
// so a refused one never gets a socket, let alone a connect(). HTTP hops and
// gRPC calls use the same callback.
//
// Not thread-safe: one per transfer, on the thread that drives it.
#pragma once

#include <curl/curl.h>

#include <string>

#include "collectors/core/curl_api.h"
#include "collectors/checks/target_policy.h"

namespace hostwatch {

// What a transfer's socket callback checks and what it refused.
struct CurlGuard {
  AddressGuard guard;           // guard.policy null: every address is allowed
  std::string refused_address;  // "<ip>:<port>" of the last address refused; "" = none
  std::string refused_why;      // and why

  void Reset() {
    refused_address.clear();
    refused_why.clear();
  }
  // Sets CURLOPT_OPENSOCKETFUNCTION/DATA on easy when guard.policy is set.
  void Install(const CurlApi& curl, CURL* easy);
  // The transfer failed with code: the run's error when the failure is a refusal of ours
  // ("connection to <ip>:<port> (resolved from <host>) refused: <why>"), else "".
  std::string RefusalError(CURLcode code, const std::string& host) const;

  // CURLOPT_OPENSOCKETFUNCTION: a socket for an allowed address, CURL_SOCKET_BAD otherwise
  // (libcurl then tries the next address and fails with CURLE_COULDNT_CONNECT).
  static curl_socket_t OpenSocket(void* self, curlsocktype purpose, curl_sockaddr* address);
};

}  // namespace hostwatch
