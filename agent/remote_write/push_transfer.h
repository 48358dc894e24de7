// PushTransfer: one remote_write request (a snappy WriteRequest) to one
// endpoint, as a libcurl easy handle that rides the checker's multi handle
// (collectors/checks/curl_transfer.h). It keeps what the sender needs to
// decide about a retry: the HTTP status, Retry-After, and the start of the
// receiver's answer (for the log, truncated).
//
// Built on the sender's thread, finished on the checker's scheduler thread;
// done() and the result are published under a mutex, and the sender is woken
// through the callback given at construction.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "agent/remote_write/config.h"
#include "collectors/checks/curl_transfer.h"
#include "collectors/core/curl_api.h"

namespace hostwatch::remote_write {

struct PushResult {
  long status = 0;          // HTTP status; 0 when no answer (connection, TLS, timeout)
  std::string error;        // libcurl's reason when status is 0
  std::string body_start;   // the receiver's message, at most kMaxBodyStart bytes
  std::optional<std::chrono::seconds> retry_after;  // Retry-After in seconds, when given
};

class PushTransfer : public CurlTransfer {
 public:
  static constexpr std::size_t kMaxBodyStart = 256;

  // Sets up the whole request; null handle() when libcurl could not make one (result() says why).
  PushTransfer(const CurlApi& curl, const Endpoint& endpoint, std::string body, std::function<void()> wake);
  ~PushTransfer() override;
  PushTransfer(const PushTransfer&) = delete;
  PushTransfer& operator=(const PushTransfer&) = delete;

  CURL* handle() const override { return easy_; }
  void OnDone(CURLcode code) override;

  bool done() const;
  PushResult result() const;

 private:
  static size_t OnBody(char* data, size_t size, size_t n, void* self);
  static size_t OnHeader(char* data, size_t size, size_t n, void* self);

  const CurlApi& curl_;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;  // tls_config.server_name: where to really connect
  const std::string body_;
  const std::function<void()> wake_;
  std::string received_;                           // scheduler thread until done
  std::optional<std::chrono::seconds> retry_after_;  // scheduler thread until done
  mutable std::mutex mu_;
  bool done_ = false;     // Guarded by mu_.
  PushResult result_;     // Guarded by mu_.
};

// Retry-After's value: delay-seconds only (an HTTP date is not parsed: nullopt, the backoff applies).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value);

}  // namespace hostwatch::remote_write
