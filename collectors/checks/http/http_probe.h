// One run of one HTTP check: libcurl easy-handle setup, per-hop timing,
// manual redirect following, TLS facts, and the blackbox-style verdict.
//
// The pure pieces (phase arithmetic, CURLcode -> reason, response verdict)
// are free functions so they can be tested on values; ProbeRun is the stateful
// part driven by HttpChecker's scheduler thread through a CURLM handle.
//
// ProbeRun is not thread-safe: it lives on the scheduler thread only.
#pragma once

#include <curl/curl.h>
#include <openssl/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/http/curl_api.h"
#include "collectors/checks/target_policy.h"

namespace hostwatch {

// Why a run failed: a small fixed set so that hostwatch_check_failures_total
// stays bounded. Order is the exposition order of the reason label.
enum class FailureReason {
  kNone = 0,
  kDns,           // name did not resolve
  kConnect,       // TCP connect refused or unreachable
  kTls,           // TLS handshake failed
  kTlsVerify,     // certificate or host name verification failed
  kTimeout,       // the check's timeout expired
  kStatusCode,    // status not in valid_status_codes
  kRegex,         // a body or header regular expression failed it
  kBodyTooLarge,  // body exceeded body_size_limit
  kRedirectLoop,  // more than max_redirects redirects
  kHttpVersion,   // version not in valid_http_versions
  kSslRequired,   // fail_if_not_ssl and the final response was plain HTTP
  kSslForbidden,  // fail_if_ssl and the final response came over TLS
  kProtocol,      // malformed response, connection reset, bad encoding
  kNotAllowed,    // ad-hoc probe: a hop's host or connected address is outside probe_targets.allowed_targets
  kOther,
};
inline constexpr int kFailureReasonCount = static_cast<int>(FailureReason::kOther) + 1;
const char* FailureReasonName(FailureReason r);

// Per-hop libcurl time marks in microseconds from the hop's start (0 = not reached).
struct CurlMarks {
  std::int64_t namelookup = 0;
  std::int64_t connect = 0;
  std::int64_t appconnect = 0;  // TLS done; 0 without TLS
  std::int64_t starttransfer = 0;
  std::int64_t total = 0;
};

// blackbox's five phases, in seconds.
struct PhaseDurations {
  double resolve = 0;
  double connect = 0;
  double tls = 0;
  double processing = 0;
  double transfer = 0;
  double Sum() const { return resolve + connect + tls + processing + transfer; }
  PhaseDurations& operator+=(const PhaseDurations& o);
};
inline constexpr std::array<const char*, 5> kPhaseNames = {"resolve", "connect", "tls", "processing", "transfer"};
double PhaseValue(const PhaseDurations& p, int index);

// Splits one hop's marks into phases that sum exactly to marks.total:
// resolve=N, connect=C-N, tls=A-C, processing=S-max(C,A), transfer=T-S, each
// clamped at 0. When the hop stopped early (a mark is 0), the remaining time
// goes to the phase that was in progress, so a timeout shows where it hung.
PhaseDurations PhasesFromMarks(const CurlMarks& m, bool tls);

// libcurl 7.88 leaves CURLINFO_CONNECT_TIME at 0 on an https hop whose TLS
// handshake did not complete, although the TCP connection was made, so a hung
// or failed handshake would be charged to the connect phase. tcp_connected_us
// is our own mark (from the hop's start) taken when libcurl set up the TLS
// context, which it does right after the TCP connect; it stands in for the
// missing connect mark, clamped between the name lookup and the total. Marks
// with a connect time, or a tcp_connected_us <= 0 (never got that far), are
// returned unchanged.
CurlMarks WithTcpConnectMark(CurlMarks m, std::int64_t tcp_connected_us);

// Maps a transfer error to a reason. body_limit_hit: our write callback
// stopped the transfer. tls_verify_failed: the certificate did not verify.
FailureReason ReasonForCurlCode(CURLcode code, bool body_limit_hit);

// One line as libcurl hands it to the header callback (with its CRLF).
struct HeaderLine {
  enum class Kind {
    kStatus,  // "HTTP/1.1 200 OK": a new response starts (also after 100 Continue)
    kField,   // "Name: value", name and value trimmed of blanks
    kOther,   // the blank end-of-headers line, or a line without a colon
  };
  Kind kind = Kind::kOther;
  std::string_view name;   // kField only
  std::string_view value;  // kField: the value; kStatus: the whole trimmed line
};

// Classifies one raw header line; the views point into raw.
HeaderLine ParseHeaderLine(std::string_view raw);

// What the final response looked like, for the verdict.
struct ResponseFacts {
  long status_code = 0;
  std::string http_version;  // "HTTP/1.1", ...
  bool ssl = false;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, final hop
  std::string_view body;
};

// Applies blackbox's checks in blackbox's order: status, header regexes, body
// regexes, HTTP version, fail_if_ssl / fail_if_not_ssl. Returns kNone when
// the response passes; otherwise sets *why to a one-line explanation.
FailureReason EvaluateResponse(const HttpCheckConfig& config, const ResponseFacts& response, std::string* why);

// True if status is accepted by ranges (empty ranges = 200-299).
bool StatusAccepted(const std::vector<StatusRange>& ranges, long status);

// "HTTP/1.1" etc. from CURLINFO_HTTP_VERSION; numeric value for probe_http_version.
std::string HttpVersionString(long curl_http_version);
double HttpVersionNumber(long curl_http_version);

// FNV-1a 32 over the raw 4 or 16 address bytes (blackbox's probe_ip_addr_hash); 0 if ip does not parse.
std::uint32_t IpAddrHash(const std::string& ip);

// URL with any password replaced by "xxxxx" (Go's URL.Redacted), for labels and logs.
std::string RedactUrl(const std::string& url);

// The leaf of the verified chain, labelled as blackbox_exporter 0.23 labels probe_ssl_last_chain_info.
struct CertificateInfo {
  std::string fingerprint_sha256;  // lower-case hex of the SHA-256 of the DER encoding
  std::string subject;             // RFC 2253 order and escaping, like Go's pkix.Name.String()
  std::string issuer;
  std::string subjectalternative;  // DNS names joined by ","
};

struct TlsFacts {
  bool present = false;             // a certificate chain was received
  std::string version;              // "TLS 1.3"; empty when no response arrived
  std::string cipher;               // IANA name
  double earliest_cert_expiry = 0;  // min NotAfter over the chain as sent (kept when verification fails)
  bool verified = false;
  double last_chain_expiry = 0;  // min NotAfter over the verified chain
  std::optional<CertificateInfo> last_chain_leaf;  // only with tls.export_chain_info
};

struct ProbeResult {
  bool success = false;
  FailureReason reason = FailureReason::kNone;
  std::string error;  // one line, no secrets
  double start_unix = 0;
  double duration_seconds = 0;  // sum of the hops' total times (= sum of phases)
  double timeout_seconds = 0;
  PhaseDurations phases;  // summed over hops
  bool resolved = false;  // an address was obtained
  double dns_lookup_seconds = 0;
  int ip_protocol = 0;  // 4 or 6
  std::uint32_t ip_addr_hash = 0;
  long status_code = 0;
  double http_version = 0;
  std::int64_t content_length = -1;
  std::int64_t uncompressed_body_length = 0;
  int redirects = 0;
  bool ssl = false;
  bool failed_due_to_regex = false;
  double last_modified = -1;  // unix time; -1 when absent
  TlsFacts tls;
  std::vector<std::string> log;  // short debug log; never contains secrets
};

// One run of one check, possibly several hops. Owned by the scheduler.
class ProbeRun {
 public:
  // policy: for ad-hoc /probe targets, checked on every hop's URL and on
  // every address libcurl connects to; null for configured checks. Both
  // config and policy must outlive the run.
  ProbeRun(const HttpCheckConfig& config, std::chrono::steady_clock::time_point start,
           const TargetPolicy* policy = nullptr);
  ~ProbeRun();
  ProbeRun(const ProbeRun&) = delete;
  ProbeRun& operator=(const ProbeRun&) = delete;
  ProbeRun(ProbeRun&&) = delete;
  ProbeRun& operator=(ProbeRun&&) = delete;

  // The easy handle to add to the multi handle; null if setup failed (then
  // the run is already finished, see done()).
  CURL* handle() const { return easy_; }
  // Called when the multi handle reports the transfer done. Returns true when
  // the run needs another hop (the caller re-adds handle()), false when done.
  bool OnTransferDone(CURLcode code);
  bool done() const { return done_; }
  ProbeResult TakeResult() { return std::move(result_); }

 private:
  bool SetupHop();
  std::string ApplyServerName(const std::string& url);
  // The check's own host, parsed on first use: only redirects and tls.server_name need it.
  const std::string& OriginalHost();
  void Finish(FailureReason reason, const std::string& error);
  void Log(std::string line);
  CurlMarks ReadMarks() const;
  void RecordAddress();
  static size_t WriteCallback(char* data, size_t size, size_t n, void* self);
  static size_t HeaderCallback(char* data, size_t size, size_t n, void* self);
  static CURLcode SslCtxCallback(CURL* curl, void* ssl_ctx, void* self);
  static curl_socket_t OpenSocketCallback(void* self, curlsocktype purpose, curl_sockaddr* address);
  bool CheckHopAllowed();

 public:
  // Called from OpenSSL during the handshake (public for the C callback shim).
  void OnPeerChain(double earliest_expiry, bool verified, double verified_chain_expiry);
  void OnVerifiedLeaf(X509* leaf);

 private:
  const HttpCheckConfig& config_;
  const TargetPolicy* const policy_;
  const CurlApi* curl_ = nullptr;  // null when libcurl could not be loaded (the run then failed at once)
  bool address_check_ = false;    // this hop may only connect to addresses in the policy's networks
  std::string refused_address_;   // set by OpenSocketCallback when it refused a connection
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point hop_start_;     // when the current hop was set up
  std::chrono::steady_clock::time_point tcp_connected_;  // set by SslCtxCallback on https hops; see WithTcpConnectMark
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;  // tls.server_name: where to really connect
  std::string url_;
  std::string method_;
  bool send_body_ = true;
  bool send_auth_ = true;
  std::string original_host_;  // lower-case host of config_.url; see OriginalHost()
  bool original_host_known_ = false;
  long ip_resolve_ = CURL_IPRESOLVE_V4;
  bool fell_back_ = false;
  bool body_limit_hit_ = false;
  bool done_ = false;
  int hop_ = 0;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> response_headers_;
  std::string status_line_;
  char error_buffer_[CURL_ERROR_SIZE] = {0};
  ProbeResult result_;
};

// Runs one probe to completion on the calling thread with its own multi
// handle (for ad-hoc /probe targets, served on an HTTP worker). Bounded by
// config.timeout, or sooner when *abort becomes true (checked every 100 ms;
// the result then fails with reason other). policy as for ProbeRun.
ProbeResult RunProbeBlocking(const HttpCheckConfig& config, const TargetPolicy* policy,
                             const std::atomic<bool>* abort = nullptr);

}  // namespace hostwatch
