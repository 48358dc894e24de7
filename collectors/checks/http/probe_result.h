// What one run of an HTTP check found out, and the phase arithmetic that turns
// libcurl's per-hop time marks into blackbox's five phases.
//
// Plain values and pure functions: copyable, no shared state, safe on any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/checks/dns/dns_facts.h"
#include "collectors/checks/http/tls_facts.h"
#include "collectors/checks/icmp/icmp_facts.h"
#include "collectors/checks/prober_kind.h"

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
  kNotServing,    // gRPC health check: the service answered, but not SERVING
  kGrpcStatus,    // gRPC: the call ended with a grpc-status other than OK
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

// FNV-1a 32 over the raw 4 or 16 address bytes (blackbox's probe_ip_addr_hash); 0 if ip does not parse.
std::uint32_t IpAddrHash(const std::string& ip);

// What one run of any prober found out (HTTP fills most fields; a tcp run
// fills the run, address, regex and TLS fields and its phases as resolve,
// connect, tls and processing).
struct ProbeResult {
  ProberKind prober = ProberKind::kHttp;  // which families the result shows
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
  // tcp: probe_expect_info's labels (name, value), from the labelled step's match; empty: no series.
  std::vector<std::pair<std::string, std::string>> expect_info;
  double last_modified = -1;  // unix time; -1 when absent
  TlsFacts tls;
  // gRPC health checks: whether the call was made (an address was found;
  // blackbox shows its check phase and serving statuses only then), its
  // gRPC status code, and the serving status answered, if any.
  bool grpc_called = false;
  long long grpc_status_code = 0;
  std::optional<long long> grpc_serving_status;
  DnsFacts dns;  // prober == kDns
  IcmpFacts icmp;  // prober == kIcmp
  std::vector<std::string> log;  // short debug log; never contains secrets
};

// Marks a result resolved to ip (family AF_INET or AF_INET6): probe_ip_protocol and probe_ip_addr_hash.
void SetResolvedAddress(ProbeResult* result, int family, const std::string& ip);

}  // namespace hostwatch
