#include "collectors/checks/grpc/grpc_probe.h"

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <cstdio>
#include <utility>

#include "collectors/checks/grpc/grpc_codec.h"
#include "collectors/checks/grpc/grpc_verdict.h"
#include "collectors/core/curl_api.h"
#include "collectors/checks/http/curl_guard.h"
#include "collectors/checks/http/curl_tls_options.h"
#include "collectors/checks/http/tls_facts.h"
#include "collectors/checks/http/verdict.h"
#include "collectors/checks/ip_network.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A HealthCheckResponse frame is 7 bytes; anything near this is not a health service.
constexpr std::size_t kMaxResponseBytes = 64 << 10;
// grpc-message is kept up to this many bytes (it only goes into the error line).
constexpr std::size_t kMaxMessageBytes = 1024;

// Owners of what libcurl allocates for a run, freed through the table.
struct EasyCleanup {
  const CurlApi* curl = nullptr;
  void operator()(CURL* e) const { curl->easy_cleanup(e); }
};
struct SlistFree {
  const CurlApi* curl = nullptr;
  void operator()(curl_slist* l) const { curl->slist_free_all(l); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;
using HeaderList = std::unique_ptr<curl_slist, SlistFree>;

class GrpcRun : public CurlRun {
 public:
  GrpcRun(std::shared_ptr<const GrpcModule> module, const std::string& target, milliseconds timeout,
          Clock::time_point start, AddressGuard guard);
  GrpcRun(const GrpcRun&) = delete;
  GrpcRun& operator=(const GrpcRun&) = delete;

  CURL* handle() const override { return easy_.get(); }
  bool OnTransferDone(CURLcode code) override;
  ProbeResult TakeResult() override { return std::move(result_); }

 private:
  bool Prepare(const std::string& target, milliseconds timeout);
  bool ChooseLiteralFamily();
  void AppendHeader(const std::string& line) {
    curl_slist* grown = curl_->slist_append(headers_.get(), line.c_str());
    if (grown != nullptr) {  // on failure libcurl leaves the list as it was
      headers_.release();
      headers_.reset(grown);
    }
  }
  bool SetupAttempt();
  void SetTransferOptions(long remaining_ms);
  void RecordTiming();
  void RecordAddress();
  void FinishWithResponse();
  void Finish(FailureReason reason, const std::string& error);
  void Log(const std::string& line);
  static size_t WriteCallback(char* data, size_t size, size_t n, void* self);
  static size_t HeaderCallback(char* data, size_t size, size_t n, void* self);
  static CURLcode SslCtxCallback(CURL* curl, void* ssl_ctx, void* self);

  const std::shared_ptr<const GrpcModule> module_;
  const CurlApi* curl_ = nullptr;
  HeaderList headers_;
  HeaderList connect_to_;  // tls_config.server_name: where to really connect
  EasyHandle easy_;        // after the lists, so it is cleaned up first; null once finished without a transfer
  std::string host_;                  // the target's host, without brackets
  std::string url_;
  std::string request_;  // the request body: one gRPC frame
  Clock::time_point start_;
  Clock::time_point deadline_;
  Clock::time_point attempt_start_;
  Clock::time_point tcp_connected_;  // set when libcurl sets up TLS, i.e. right after the TCP connect
  long ip_resolve_ = CURL_IPRESOLVE_V6;
  bool fell_back_ = false;
  bool too_large_ = false;
  std::string body_;
  GrpcResponse response_;
  char error_buffer_[CURL_ERROR_SIZE] = {0};
  ProbeResult result_;
  TlsCapture tls_capture_;  // points into result_.tls
  CurlGuard guard_;         // an ad-hoc run's allow-list, on every address libcurl connects to
};

GrpcRun::GrpcRun(std::shared_ptr<const GrpcModule> module, const std::string& target, milliseconds timeout,
                 Clock::time_point start, AddressGuard guard)
    : module_(std::move(module)), start_(start), deadline_(start + timeout) {
  guard_.guard = guard;
  result_.prober = ProberKind::kGrpc;
  result_.start_unix = WallClockSeconds();
  result_.timeout_seconds = std::chrono::duration<double>(timeout).count();
  tls_capture_.facts = &result_.tls;
  tls_capture_.export_chain_info = module_->tls_config.export_chain_info;
  ip_resolve_ = module_->preferred_ip_protocol == "ip4" ? CURL_IPRESOLVE_V4 : CURL_IPRESOLVE_V6;
  if (!Prepare(target, timeout) || !SetupAttempt()) {
    easy_.reset();  // finished already: the checker takes the result
  }
}

// What stays the same for every attempt: the URL, the headers, the body.
bool GrpcRun::Prepare(const std::string& target, milliseconds timeout) {
  Log("msg=\"Beginning probe\" target=" + target + " service=\"" + module_->service + "\" tls=" +
      (module_->tls ? "true" : "false"));
  std::string why;
  int port_number = 0;
  if (!SplitGrpcTarget(target, module_->tls, &host_, &port_number, &why)) {
    Finish(FailureReason::kOther, "target " + target + ": " + why);
    return false;
  }
  const std::string port = std::to_string(port_number);
  if (!ChooseLiteralFamily()) {
    return false;
  }
  std::string load_error;
  curl_ = LoadCurl(&load_error);
  if (curl_ != nullptr) {
    easy_ = EasyHandle(curl_->easy_init(), EasyCleanup{curl_});
    headers_ = HeaderList(nullptr, SlistFree{curl_});
    connect_to_ = HeaderList(nullptr, SlistFree{curl_});
  }
  if (!easy_) {
    Finish(FailureReason::kOther, curl_ == nullptr ? load_error : "curl_easy_init failed");
    return false;
  }
  const std::string authority = BracketedHost(host_) + ":" + port;
  url_ = std::string(module_->tls ? "https://" : "http://") + authority + kHealthCheckPath;
  const std::string& server_name = module_->tls_config.server_name;
  if (module_->tls && !server_name.empty()) {
    // Host is set below (the target, as :authority), so the route's Host header is not needed.
    if (std::optional<ServerNameRoute> route = RouteToServerName(*curl_, url_, server_name)) {
      url_ = route->url;
      connect_to_.reset(curl_->slist_append(nullptr, route->connect_to.c_str()));
    }
  }
  // :authority is the target, as a gRPC client dialing it sends (libcurl makes it from Host).
  // grpc-timeout tells the server our deadline; its value has at most 8 digits.
  const long long ms = timeout.count();
  const std::string deadline = ms <= 99999999 ? std::to_string(ms) + "m" : std::to_string(ms / 1000) + "S";
  for (const std::string& h : {"Host: " + authority, std::string("Content-Type: application/grpc"),
                               std::string("TE: trailers"), "grpc-timeout: " + deadline, std::string("Expect:")}) {
    AppendHeader(h);
  }
  for (const auto& [name, value] : module_->metadata) {
    AppendHeader(name + ": " + value);
  }
  request_ = HealthCheckRequestFrame(module_->service);
  return true;
}

// libcurl does not resolve an address target: asked for IPv6 it fails to
// connect to an IPv4 address instead. So an address target gets blackbox's
// choice here: its own family when it is the preferred one or the fallback
// allows it, else no address (a dns failure, as blackbox's lookup has).
bool GrpcRun::ChooseLiteralFamily() {
  int family = 0;
  std::uint8_t bytes[16];
  if (!ParseIp(host_, &family, bytes)) {
    return true;  // a name: libcurl resolves it in the preferred family, OnTransferDone falls back
  }
  const long own = family == AF_INET6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
  if (own != ip_resolve_ && !module_->ip_protocol_fallback) {
    Finish(FailureReason::kDns, "address " + host_ + " is not of the preferred family " +
                                    module_->preferred_ip_protocol + " (ip_protocol_fallback is off)");
    return false;
  }
  ip_resolve_ = own;
  return true;
}

// Sets up the transfer for an attempt (the first, or the fallback to the other family).
bool GrpcRun::SetupAttempt() {
  // Rounded up, so the transfer's own timeout never ends it before the check's deadline.
  const auto remaining = std::chrono::ceil<milliseconds>(deadline_ - Clock::now()).count();
  if (remaining <= 0) {
    result_.grpc_called = result_.resolved;
    result_.grpc_status_code = kGrpcDeadlineExceeded;
    Finish(FailureReason::kTimeout, "timeout before the call");
    return false;
  }
  body_.clear();
  guard_.Reset();
  response_ = GrpcResponse{};
  too_large_ = false;
  error_buffer_[0] = '\0';
  result_.tls = TlsFacts{};
  tcp_connected_ = {};
  attempt_start_ = Clock::now();
  SetTransferOptions(static_cast<long>(remaining));
  Log(std::string("msg=\"Calling grpc.health.v1.Health/Check\" url=\"") + url_ +
      "\" ip_protocol=" + (ip_resolve_ == CURL_IPRESOLVE_V6 ? "ip6" : "ip4"));
  return true;
}

void GrpcRun::SetTransferOptions(long remaining_ms) {
  CURL* e = easy_.get();
  curl_->easy_setopt(e, CURLOPT_URL, url_.c_str());
  curl_->easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_.get());
  curl_->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  // A fresh measurement every run: no connection, DNS or TLS session reuse.
  curl_->easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
  curl_->easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  curl_->easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  curl_->easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  curl_->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_->easy_setopt(e, CURLOPT_PROXY, "");  // gRPC clients dial directly; no http_proxy from the environment
  curl_->easy_setopt(e, CURLOPT_TIMEOUT_MS, remaining_ms);
  curl_->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, remaining_ms);
  curl_->easy_setopt(e, CURLOPT_IPRESOLVE, ip_resolve_);
  curl_->easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
  // h2c with prior knowledge in plaintext (gRPC never upgrades), ALPN h2 over TLS.
  curl_->easy_setopt(e, CURLOPT_HTTP_VERSION,
                     module_->tls ? static_cast<long>(CURL_HTTP_VERSION_2TLS)
                                  : static_cast<long>(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE));
  curl_->easy_setopt(e, CURLOPT_POST, 1L);
  curl_->easy_setopt(e, CURLOPT_POSTFIELDS, request_.data());
  curl_->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.size()));
  curl_->easy_setopt(e, CURLOPT_HTTPHEADER, headers_.get());
  curl_->easy_setopt(e, CURLOPT_USERAGENT, "hostwatch");
  curl_->easy_setopt(e, CURLOPT_WRITEFUNCTION, &GrpcRun::WriteCallback);
  curl_->easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_->easy_setopt(e, CURLOPT_HEADERFUNCTION, &GrpcRun::HeaderCallback);
  curl_->easy_setopt(e, CURLOPT_HEADERDATA, this);
  guard_.Install(*curl_, e);
  if (module_->tls) {
    SetCurlTlsOptions(*curl_, e, module_->tls_config);
    curl_->easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &GrpcRun::SslCtxCallback);
    curl_->easy_setopt(e, CURLOPT_SSL_CTX_DATA, this);
  }
}

bool GrpcRun::OnTransferDone(CURLcode code) {
  RecordTiming();
  if (std::string refused = guard_.RefusalError(code, host_); !refused.empty()) {
    result_.grpc_called = false;  // no call was made: nothing reached the target
    Finish(FailureReason::kNotAllowed, refused);
    return false;
  }
  if (code != CURLE_COULDNT_RESOLVE_HOST) {
    RecordAddress();  // not a literal of the other family: blackbox's lookup found nothing then
  }
  if (code == CURLE_COULDNT_RESOLVE_HOST && module_->ip_protocol_fallback && !fell_back_) {
    // blackbox's ip_protocol_fallback: no address of the preferred family, try the other.
    fell_back_ = true;
    ip_resolve_ = ip_resolve_ == CURL_IPRESOLVE_V4 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
    Log("msg=\"No address of the preferred family, falling back\"");
    return SetupAttempt();
  }
  if (code == CURLE_OK) {
    FinishWithResponse();
    return false;
  }
  std::string err = error_buffer_[0] != '\0' ? error_buffer_ : curl_->easy_strerror(code);
  FailureReason reason = ReasonForCurlCode(code, false);
  if (too_large_) {
    reason = FailureReason::kProtocol;
    err = "response over " + std::to_string(kMaxResponseBytes) + " bytes";
  }
  // What a gRPC client reports: no call without an address (blackbox returns before it),
  // DEADLINE_EXCEEDED at the deadline, UNAVAILABLE when the transport failed, INTERNAL otherwise.
  result_.grpc_called = reason != FailureReason::kDns;
  result_.grpc_status_code = reason == FailureReason::kDns       ? kGrpcOk
                             : reason == FailureReason::kTimeout ? kGrpcDeadlineExceeded
                             : reason == FailureReason::kProtocol || reason == FailureReason::kOther
                                 ? kGrpcInternal
                                 : kGrpcUnavailable;
  Finish(reason, err);
  return false;
}

void GrpcRun::FinishWithResponse() {
  long version = 0;
  curl_->easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &response_.http_status);
  curl_->easy_getinfo(easy_.get(), CURLINFO_HTTP_VERSION, &version);
  response_.http2 = version == CURL_HTTP_VERSION_2_0;
  response_.body = body_;
  const GrpcOutcome outcome = EvaluateGrpcResponse(response_);
  result_.grpc_called = true;
  result_.grpc_status_code = outcome.code;
  result_.grpc_serving_status = outcome.serving_status;
  // blackbox knows the peer's TLS state only from an answered call.
  result_.ssl = module_->tls && outcome.serving_status.has_value();
  if (outcome.serving_status) {
    Log("msg=\"Received HealthCheckResponse\" serving_status=" + ServingStatusName(*outcome.serving_status));
  }
  Finish(outcome.reason, outcome.why);
}

void GrpcRun::RecordTiming() {
  CurlMarks m;
  curl_off_t v = 0;
  if (curl_->easy_getinfo(easy_.get(), CURLINFO_NAMELOOKUP_TIME_T, &v) == CURLE_OK) m.namelookup = v;
  if (curl_->easy_getinfo(easy_.get(), CURLINFO_CONNECT_TIME_T, &v) == CURLE_OK) m.connect = v;
  if (curl_->easy_getinfo(easy_.get(), CURLINFO_APPCONNECT_TIME_T, &v) == CURLE_OK) m.appconnect = v;
  if (curl_->easy_getinfo(easy_.get(), CURLINFO_STARTTRANSFER_TIME_T, &v) == CURLE_OK) m.starttransfer = v;
  if (curl_->easy_getinfo(easy_.get(), CURLINFO_TOTAL_TIME_T, &v) == CURLE_OK) m.total = v;
  if (module_->tls && tcp_connected_ > attempt_start_) {
    m = WithTcpConnectMark(m, std::chrono::duration_cast<std::chrono::microseconds>(tcp_connected_ - attempt_start_)
                                  .count());
  }
  const PhaseDurations phases = PhasesFromMarks(m, module_->tls);
  result_.phases += phases;
  result_.dns_lookup_seconds += phases.resolve;
}

void GrpcRun::RecordAddress() {
  char* ip = nullptr;
  std::string addr;
  if (curl_->easy_getinfo(easy_.get(), CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) {
    addr = ip;
  }
  int family = 0;
  std::uint8_t bytes[16];
  if (addr.empty() && ParseIp(host_, &family, bytes)) {
    addr = host_;  // an address target is "resolved" even when connecting to it failed, as in blackbox
  }
  if (addr.empty()) {
    return;
  }
  result_.resolved = true;
  result_.ip_protocol = addr.find(':') != std::string::npos ? 6 : 4;
  result_.ip_addr_hash = IpAddrHash(addr);
}

void GrpcRun::Finish(FailureReason reason, const std::string& error) {
  // The whole run, as blackbox's handler times it (a fallback makes two transfers).
  result_.duration_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  result_.reason = reason;
  result_.success = reason == FailureReason::kNone;
  result_.error = error;
  Log(result_.success ? std::string("msg=\"Probe succeeded\"")
                      : std::string("msg=\"Probe failed\" reason=") + FailureReasonName(reason) + " err=\"" + error +
                            "\" grpc_status_code=" + std::to_string(result_.grpc_status_code));
}

void GrpcRun::Log(const std::string& line) {
  const double t = std::chrono::duration<double>(Clock::now() - start_).count();
  char prefix[32];
  std::snprintf(prefix, sizeof(prefix), "t=%.6f ", t);
  result_.log.push_back(prefix + line);
}

size_t GrpcRun::WriteCallback(char* data, size_t size, size_t n, void* self) {
  auto* run = static_cast<GrpcRun*>(self);
  const size_t bytes = size * n;
  if (run->body_.size() + bytes > kMaxResponseBytes) {
    run->too_large_ = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  run->body_.append(data, bytes);
  return bytes;
}

size_t GrpcRun::HeaderCallback(char* data, size_t size, size_t n, void* self) {
  auto* run = static_cast<GrpcRun*>(self);
  const size_t bytes = size * n;
  const HeaderLine line = ParseHeaderLine(std::string_view(data, bytes));
  GrpcResponse& r = run->response_;
  if (line.kind == HeaderLine::Kind::kStatus) {
    // The TLS session pointer is only valid during the transfer, so read it now.
    const curl_tlssessioninfo* info = nullptr;
    if (run->curl_->easy_getinfo(run->easy_.get(), CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr) {
      ReadSessionFacts(static_cast<const SSL*>(info->internals), &run->result_.tls);
    }
  } else if (line.kind == HeaderLine::Kind::kField) {
    // Headers and trailers alike: a trailers-only answer carries grpc-status in its headers.
    const std::string name = AsciiToLower(line.name);
    if (name == "content-type") {
      r.content_type = std::string(line.value.substr(0, kMaxMessageBytes));
    } else if (name == "grpc-status") {
      r.grpc_status = std::string(line.value.substr(0, kMaxMessageBytes));
    } else if (name == "grpc-message") {
      r.grpc_message = std::string(line.value.substr(0, kMaxMessageBytes));
    }
  }
  return bytes;
}

CURLcode GrpcRun::SslCtxCallback(CURL*, void* ssl_ctx, void* self) {
  auto* run = static_cast<GrpcRun*>(self);
  run->tcp_connected_ = Clock::now();
  InstallChainCapture(static_cast<SSL_CTX*>(ssl_ctx), &run->tls_capture_);
  return CURLE_OK;
}

}  // namespace

std::unique_ptr<CurlRun> StartGrpcRun(std::shared_ptr<const GrpcModule> module, const std::string& target,
                                      milliseconds timeout, Clock::time_point now, AddressGuard guard) {
  return std::make_unique<GrpcRun>(std::move(module), target, timeout, now, guard);
}

}  // namespace hostwatch
