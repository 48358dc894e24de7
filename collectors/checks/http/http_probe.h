// ProbeRun: one run of one HTTP check as a libcurl state machine: easy-handle
// setup per hop, per-hop timing, manual redirect following, the TLS facts of
// the final hop, and the verdict.
//
// The pure pieces live beside it and are tested on values: phase arithmetic
// and the result (probe_result.h), the verdict (verdict.h), TLS facts
// (tls_facts.h), URL redaction (redact_url.h). HttpChecker's scheduler drives
// runs through its CURLM handle; RunProbeBlocking (blocking_probe.h) drives
// one on the calling thread.
//
// ProbeRun is implemented in two files: http_probe.cpp (the run, reading a
// finished hop, the verdict's inputs) and http_probe_hop.cpp (setting up a
// hop and the callbacks that act while it connects).
//
// ProbeRun is not thread-safe: it lives on the thread that drives it.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/curl_run.h"
#include "collectors/core/curl_api.h"
#include "collectors/checks/http/curl_guard.h"
#include "collectors/checks/http/probe_result.h"
#include "collectors/checks/http/tls_facts.h"
#include "collectors/checks/target_policy.h"

namespace hostwatch {

class ProbeRun : public CurlRun {
 public:
  // ad_hoc: for ad-hoc /probe targets, the allow-list checked on every hop's
  // URL and on every address libcurl connects to, and the module's own URL
  // (see "Credentials" below); null for configured checks. Both config and
  // ad_hoc must outlive the run.
  //
  // Credentials (config.headers, basic_auth, bearer_token) go with a hop
  //   - only when the hop's URL has the same origin (scheme, host and port) as
  //     config.url, unless config.follow_redirects_keep_headers: a redirect to
  //     another origin gets none of them (curl and Go drop only Authorization
  //     and Cookie, but any configured header may be a secret: X-Api-Key);
  //   - and for an ad-hoc target, only over https, to the module's own origin,
  //     or to a URL an allowed_targets entry with send_credentials_over_http
  //     matches (TargetPolicy::CheckUrl).
  ProbeRun(const HttpCheckConfig& config, std::chrono::steady_clock::time_point start,
           const AdHocTargetRules* ad_hoc = nullptr);
  ~ProbeRun() override;
  ProbeRun(const ProbeRun&) = delete;
  ProbeRun& operator=(const ProbeRun&) = delete;
  ProbeRun(ProbeRun&&) = delete;
  ProbeRun& operator=(ProbeRun&&) = delete;

  // The easy handle to add to the multi handle; null if setup failed or was
  // refused (then the run is already finished: TakeResult() has the reason).
  CURL* handle() const override { return easy_; }
  // Called when the multi handle reports the transfer done. Returns true when
  // the run needs another hop (the caller re-adds handle()), false when done.
  bool OnTransferDone(CURLcode code) override;
  ProbeResult TakeResult() override { return std::move(result_); }

 private:
  // Setting up a hop, in order; SetupHop returns false when the run finished instead.
  bool SetupHop();
  void ResetHopState();
  bool CredentialsAllowed(bool https, bool same_origin, const UrlOrigin& origin);
  void BuildRequestHeaders(bool same_host);
  // /probe's hostname parameter for an ad-hoc run, else "".
  const std::string& HostHeaderOverride() const;
  std::string RequestUrl(bool https, bool same_host);
  void SetTransferOptions(const std::string& request_url, long remaining_ms);
  void SetAuthOptions();
  void SetMethodOptions();
  void SetTlsOptions();
  std::string ApplyServerName(const std::string& url);
  bool CheckHopAllowed();

  // Reading a finished hop, in order.
  void RecordHopTiming(bool https);
  void RecordAddress();
  bool OnTransferError(CURLcode code);
  bool FollowRedirect(const char* location, long status);
  void FinishWithVerdict(bool https, long status, long version);

  // The origin of config_.url, parsed on first use: only redirects, tls.server_name and ad-hoc targets need it.
  const UrlOrigin& OriginalOrigin();
  const std::string& OriginalHost() { return OriginalOrigin().host; }
  void Finish(FailureReason reason, const std::string& error);
  void Log(std::string line);
  CurlMarks ReadMarks() const;
  static size_t WriteCallback(char* data, size_t size, size_t n, void* self);
  static size_t HeaderCallback(char* data, size_t size, size_t n, void* self);
  static CURLcode SslCtxCallback(CURL* curl, void* ssl_ctx, void* self);

  const HttpCheckConfig& config_;
  const AdHocTargetRules* const ad_hoc_;
  const CurlApi* curl_ = nullptr;  // null when libcurl could not be loaded (the run then failed at once)
  // ad-hoc: the policy's word on this hop's URL, held to every address libcurl connects to, and what it refused.
  CurlGuard guard_;
  bool hop_credentials_over_http_ = false;  // ad-hoc: an entry matching this hop's URL allows credentials over http
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point hop_start_;      // when the current hop was set up
  std::chrono::steady_clock::time_point tcp_connected_;  // set by SslCtxCallback on https hops; see WithTcpConnectMark
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;  // tls.server_name: where to really connect
  std::string url_;
  std::string method_;
  bool send_body_ = true;
  bool send_credentials_ = true;  // this hop sends config_.headers, basic_auth and bearer_token
  UrlOrigin original_;            // of config_.url; see OriginalOrigin()
  bool original_known_ = false;
  long ip_resolve_ = CURL_IPRESOLVE_V4;
  bool fell_back_ = false;
  bool body_limit_hit_ = false;
  int hop_ = 0;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> response_headers_;
  std::string status_line_;
  char error_buffer_[CURL_ERROR_SIZE] = {0};
  ProbeResult result_;
  TlsCapture tls_capture_;  // points into result_.tls; handed to OpenSSL's verify callback
};

}  // namespace hostwatch
