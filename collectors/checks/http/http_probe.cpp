#include "collectors/checks/http/http_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <openssl/ssl.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <mutex>
#include <vector>

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;

// Bodies are kept in memory only to run the body regexes; past this much the
// rest is counted but not matched (blackbox reads everything, which is how it
// runs out of memory on a huge body).
constexpr std::size_t kMaxBufferedBody = 16 << 20;

const char* const kReasonNames[kFailureReasonCount] = {
    "none",          "dns",      "connect",        "tls",           "tls_verify",   "timeout",
    "status_code",   "regex",    "body_too_large", "redirect_loop", "http_version", "ssl_required",
    "ssl_forbidden", "protocol", "target_not_allowed", "other"};

double MicrosToSeconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }

double UnixNow() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Host part of a URL ("" if it does not parse).
std::string UrlHost(const CurlApi& curl, const std::string& url) {
  std::string host;
  CURLU* h = curl.url();
  if (h != nullptr && curl.url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* part = nullptr;
    if (curl.url_get(h, CURLUPART_HOST, &part, 0) == CURLUE_OK && part != nullptr) {
      host = ToLower(part);
    }
    curl.free(part);
  }
  curl.url_cleanup(h);
  return host;
}

double NotAfterUnix(const X509* cert) {
  const ASN1_TIME* t = X509_get0_notAfter(cert);
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return 0;
  }
  return static_cast<double>(timegm(&tm));
}

double EarliestNotAfter(STACK_OF(X509) * chain) {
  double earliest = 0;
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    double t = NotAfterUnix(sk_X509_value(chain, i));
    if (t != 0 && (earliest == 0 || t < earliest)) {
      earliest = t;
    }
  }
  return earliest;
}

std::string DistinguishedName(const X509_NAME* name) {
  // RFC 2253 reverses the DER order (most specific first) as Go does; UTF-8 is kept rather than
  // escaped byte by byte, as Go keeps it.
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) {
    return "";
  }
  X509_NAME_print_ex(bio, name, 0, (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string text(data != nullptr && len > 0 ? data : "", len > 0 ? static_cast<std::size_t>(len) : 0);
  BIO_free(bio);
  return text;
}

std::string DnsAlternativeNames(X509* cert) {
  std::string joined;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type != GEN_DNS) {
      continue;
    }
    const auto* s = n->d.dNSName;
    if (!joined.empty()) {
      joined += ',';
    }
    joined.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return joined;
}

std::string Sha256Fingerprint(const X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &len) != 1) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

// Replaces OpenSSL's chain verification with the same verification plus a
// look at the chain as sent, so an expired or untrusted certificate still
// reports its expiry (blackbox loses it when the handshake fails).
int CaptureChainAndVerify(X509_STORE_CTX* store, void* arg) {
  double earliest = EarliestNotAfter(X509_STORE_CTX_get0_untrusted(store));
  if (X509* leaf = X509_STORE_CTX_get0_cert(store); leaf != nullptr) {
    double t = NotAfterUnix(leaf);
    if (t != 0 && (earliest == 0 || t < earliest)) {
      earliest = t;
    }
  }
  int ok = X509_verify_cert(store);
  double chain_expiry = ok == 1 ? EarliestNotAfter(X509_STORE_CTX_get0_chain(store)) : 0;
  auto* run = static_cast<ProbeRun*>(arg);
  run->OnPeerChain(earliest, ok == 1, chain_expiry);
  if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(store); ok == 1 && sk_X509_num(chain) > 0) {
    run->OnVerifiedLeaf(sk_X509_value(chain, 0));
  }
  return ok;
}

std::string TlsVersionName(const char* openssl_name) {
  std::string_view v = openssl_name == nullptr ? "" : openssl_name;
  if (v == "TLSv1") {
    return "TLS 1.0";
  }
  if (v.rfind("TLSv", 0) == 0) {
    return "TLS " + std::string(v.substr(4));
  }
  return "unknown";
}

// "%.6f" for the run's log. std::to_chars gives the same correctly rounded
// digits as printf without its locale and stream machinery: printf's double
// formatting was ~9% of a probe's user-space instructions (5-7 log lines a run).
std::string SecondsText(double s) {
  char buf[32];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), s, std::chars_format::fixed, 6);
  if (r.ec != std::errc()) {
    std::snprintf(buf, sizeof(buf), "%.6f", s);  // beyond 10^24 s: only printf's truncation fits
    return buf;
  }
  return std::string(buf, r.ptr);
}

}  // namespace

const char* FailureReasonName(FailureReason r) { return kReasonNames[static_cast<int>(r)]; }

PhaseDurations& PhaseDurations::operator+=(const PhaseDurations& o) {
  resolve += o.resolve;
  connect += o.connect;
  tls += o.tls;
  processing += o.processing;
  transfer += o.transfer;
  return *this;
}

double PhaseValue(const PhaseDurations& p, int index) {
  switch (index) {
    case 0:
      return p.resolve;
    case 1:
      return p.connect;
    case 2:
      return p.tls;
    case 3:
      return p.processing;
    default:
      return p.transfer;
  }
}

PhaseDurations PhasesFromMarks(const CurlMarks& m, bool tls) {
  // Cut points in phase order; a phase ends at its mark. Each phase gets the
  // time since the previous cut; the first unreached mark gets the rest.
  const std::int64_t total = std::max<std::int64_t>(m.total, 0);
  std::int64_t us[5] = {0, 0, 0, 0, 0};
  const std::int64_t marks[4] = {m.namelookup, m.connect, tls ? m.appconnect : -1, m.starttransfer};
  std::int64_t prev = 0;
  int phase = 0;
  for (; phase < 4; ++phase) {
    if (marks[phase] == -1) {
      continue;  // no TLS on this hop: the tls phase stays 0
    }
    std::int64_t mark = std::min(marks[phase], total);
    if (mark <= 0 || mark < prev) {
      break;  // not reached (or out of order): this phase was in progress at the end
    }
    us[phase] = mark - prev;
    prev = mark;
  }
  us[phase] += total - prev;
  PhaseDurations p;
  p.resolve = MicrosToSeconds(us[0]);
  p.connect = MicrosToSeconds(us[1]);
  p.tls = MicrosToSeconds(us[2]);
  p.processing = MicrosToSeconds(us[3]);
  p.transfer = MicrosToSeconds(us[4]);
  return p;
}

CurlMarks WithTcpConnectMark(CurlMarks m, std::int64_t tcp_connected_us) {
  if (m.connect > 0 || tcp_connected_us <= 0) {
    return m;
  }
  m.connect = std::max<std::int64_t>({tcp_connected_us, m.namelookup, 1});
  if (m.total > 0) {
    m.connect = std::min(m.connect, m.total);
  }
  return m;
}

HeaderLine ParseHeaderLine(std::string_view raw) {
  HeaderLine out;
  std::string_view line = Trim(raw);
  if (line.rfind("HTTP/", 0) == 0) {
    out.kind = HeaderLine::Kind::kStatus;
    out.value = line;
  } else if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    out.kind = HeaderLine::Kind::kField;
    out.name = Trim(line.substr(0, colon));
    out.value = Trim(line.substr(colon + 1));
  }
  return out;
}

FailureReason ReasonForCurlCode(CURLcode code, bool body_limit_hit) {
  switch (code) {
    case CURLE_OK:
      return FailureReason::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return FailureReason::kDns;
    case CURLE_COULDNT_CONNECT:
      return FailureReason::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return FailureReason::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return FailureReason::kTls;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return FailureReason::kTlsVerify;
    case CURLE_TOO_MANY_REDIRECTS:
      return FailureReason::kRedirectLoop;
    case CURLE_FILESIZE_EXCEEDED:
      return FailureReason::kBodyTooLarge;
    case CURLE_WRITE_ERROR:
      return body_limit_hit ? FailureReason::kBodyTooLarge : FailureReason::kOther;
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return FailureReason::kProtocol;
    default:
      return FailureReason::kOther;
  }
}

bool StatusAccepted(const std::vector<StatusRange>& ranges, long status) {
  if (ranges.empty()) {
    return status >= 200 && status <= 299;
  }
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const StatusRange& r) { return status >= r.low && status <= r.high; });
}

namespace {

// Values of one header, compared case-insensitively by name.
std::vector<std::string_view> HeaderValues(const ResponseFacts& r, const std::string& name) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) {
      out.push_back(v);
    }
  }
  return out;
}

bool AnyMatches(const std::vector<std::string_view>& values, const re2::RE2& re) {
  return std::any_of(values.begin(), values.end(), [&](std::string_view v) { return RE2::PartialMatch(v, re); });
}

}  // namespace

FailureReason EvaluateResponse(const HttpCheckConfig& config, const ResponseFacts& r, std::string* why) {
  if (!StatusAccepted(config.valid_status_codes, r.status_code)) {
    *why = "invalid HTTP response status code " + std::to_string(r.status_code);
    return FailureReason::kStatusCode;
  }
  for (const HeaderMatch& m : config.fail_if_header_matches) {
    std::vector<std::string_view> values = HeaderValues(r, m.header);
    if (values.empty() && !m.allow_missing) {
      *why = "missing required header " + m.header;
      return FailureReason::kRegex;
    }
    if (AnyMatches(values, *m.regexp.re)) {
      *why = "header " + m.header + " matched regular expression " + m.regexp.pattern;
      return FailureReason::kRegex;
    }
  }
  for (const HeaderMatch& m : config.fail_if_header_not_matches) {
    std::vector<std::string_view> values = HeaderValues(r, m.header);
    if (values.empty()) {
      if (m.allow_missing) {
        continue;
      }
      *why = "missing required header " + m.header;
      return FailureReason::kRegex;
    }
    if (!AnyMatches(values, *m.regexp.re)) {
      *why = "header " + m.header + " did not match regular expression " + m.regexp.pattern;
      return FailureReason::kRegex;
    }
  }
  for (const CheckRegex& re : config.fail_if_body_matches_regexp) {
    if (RE2::PartialMatch(r.body, *re.re)) {
      *why = "body matched regular expression " + re.pattern;
      return FailureReason::kRegex;
    }
  }
  for (const CheckRegex& re : config.fail_if_body_not_matches_regexp) {
    if (!RE2::PartialMatch(r.body, *re.re)) {
      *why = "body did not match regular expression " + re.pattern;
      return FailureReason::kRegex;
    }
  }
  if (!config.valid_http_versions.empty() &&
      std::find(config.valid_http_versions.begin(), config.valid_http_versions.end(), r.http_version) ==
          config.valid_http_versions.end()) {
    *why = "invalid HTTP version " + r.http_version;
    return FailureReason::kHttpVersion;
  }
  if (config.fail_if_ssl && r.ssl) {
    *why = "final response came over TLS and fail_if_ssl is set";
    return FailureReason::kSslForbidden;
  }
  if (config.fail_if_not_ssl && !r.ssl) {
    *why = "final response did not come over TLS and fail_if_not_ssl is set";
    return FailureReason::kSslRequired;
  }
  return FailureReason::kNone;
}

std::string HttpVersionString(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return "HTTP/1.0";
    case CURL_HTTP_VERSION_1_1:
      return "HTTP/1.1";
    case CURL_HTTP_VERSION_2_0:
      return "HTTP/2.0";
    case CURL_HTTP_VERSION_3:
      return "HTTP/3.0";
    default:
      return "";
  }
}

double HttpVersionNumber(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return 1.0;
    case CURL_HTTP_VERSION_1_1:
      return 1.1;
    case CURL_HTTP_VERSION_2_0:
      return 2;
    case CURL_HTTP_VERSION_3:
      return 3;
    default:
      return 0;
  }
}

std::uint32_t IpAddrHash(const std::string& ip) {
  unsigned char bytes[16];
  int len = 0;
  if (inet_pton(AF_INET, ip.c_str(), bytes) == 1) {
    len = 4;
  } else if (inet_pton(AF_INET6, ip.c_str(), bytes) == 1) {
    len = 16;
  } else {
    return 0;
  }
  std::uint32_t hash = 2166136261u;  // FNV-1a 32, as Go's hash/fnv New32a
  for (int i = 0; i < len; ++i) {
    hash ^= bytes[i];
    hash *= 16777619u;
  }
  return hash;
}

std::string RedactUrl(const std::string& url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return url;
  }
  std::size_t auth_start = scheme_end + 3;
  std::size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string::npos) {
    auth_end = url.size();
  }
  std::size_t at = url.rfind('@', auth_end);
  if (at == std::string::npos || at < auth_start) {
    return url;
  }
  std::size_t colon = url.find(':', auth_start);
  if (colon == std::string::npos || colon > at) {
    return url;
  }
  return url.substr(0, colon + 1) + "xxxxx" + url.substr(at);
}

// ---------------------------------------------------------------------------
// ProbeRun

ProbeRun::ProbeRun(const HttpCheckConfig& config, Clock::time_point start, const TargetPolicy* policy)
    : config_(config),
      policy_(policy),
      start_(start),
      deadline_(start + config.timeout),
      url_(config.url),
      method_(config.method) {
  result_.start_unix = UnixNow();
  result_.timeout_seconds = std::chrono::duration<double>(config.timeout).count();
  ip_resolve_ = config.preferred_ip_protocol == "ip6" ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
  Log("msg=\"Beginning probe\" url=\"" + RedactUrl(url_) +
      "\" timeout_seconds=" + SecondsText(result_.timeout_seconds));
  std::string load_error;
  curl_ = LoadCurl(&load_error);
  if (curl_ == nullptr) {
    Finish(FailureReason::kOther, load_error);  // the run fails with the reason instead of crashing
    return;
  }
  easy_ = curl_->easy_init();
  if (easy_ == nullptr) {
    Finish(FailureReason::kOther, "curl_easy_init failed");
    return;
  }
  // The cookie engine persists across our manual redirect hops on this handle (blackbox keeps a jar).
  curl_->easy_setopt(easy_, CURLOPT_COOKIEFILE, "");
  if (!SetupHop()) {
    curl_->easy_cleanup(easy_);
    easy_ = nullptr;
  }
}

ProbeRun::~ProbeRun() {
  if (curl_ == nullptr) {
    return;  // libcurl never loaded: nothing was allocated through it
  }
  if (easy_ != nullptr) {
    curl_->easy_cleanup(easy_);
  }
  curl_->slist_free_all(headers_);
  curl_->slist_free_all(connect_to_);
}

std::string ProbeRun::ApplyServerName(const std::string& url) {
  // libcurl takes SNI and the certificate name from the URL's host, so the
  // request goes to https://<server_name>:<port>/..., CONNECT_TO sends the
  // connection to the real host, and Host keeps the real name (Go's
  // tls_config.server_name changes only SNI and verification).
  const std::string& name = config_.tls.server_name;
  CURLU* h = curl_->url();
  std::string out = url;
  char* port = nullptr;
  char* rewritten = nullptr;
  if (h != nullptr && curl_->url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_->url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
      curl_->url_set(h, CURLUPART_HOST, name.c_str(), 0) == CURLUE_OK &&
      curl_->url_get(h, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
    const std::string& original = OriginalHost();
    std::string host =
        original.find(':') != std::string::npos && original.front() != '[' ? "[" + original + "]" : original;
    connect_to_ = curl_->slist_append(nullptr, (name + ":" + port + ":" + host + ":" + port).c_str());
    bool has_host = std::any_of(config_.headers.begin(), config_.headers.end(),
                                [](const auto& kv) { return strcasecmp(kv.first.c_str(), "Host") == 0; });
    if (!has_host) {
      std::string default_port = "443";
      headers_ = curl_->slist_append(headers_,
                                   ("Host: " + host + (port == default_port ? "" : ":" + std::string(port))).c_str());
    }
    out = rewritten;
  }
  curl_->free(port);
  curl_->free(rewritten);
  curl_->url_cleanup(h);
  return out;
}

const std::string& ProbeRun::OriginalHost() {
  if (!original_host_known_) {
    original_host_ = UrlHost(*curl_, config_.url);
    original_host_known_ = true;
  }
  return original_host_;
}

void ProbeRun::Log(std::string line) {
  // Relative time keeps lines short and comparable between runs.
  double t = std::chrono::duration<double>(Clock::now() - start_).count();
  result_.log.push_back("t=" + SecondsText(t) + " " + line);
}

void ProbeRun::Finish(FailureReason reason, const std::string& error) {
  done_ = true;
  result_.reason = reason;
  result_.success = reason == FailureReason::kNone;
  result_.error = error;
  if (result_.success) {
    Log("msg=\"Probe succeeded\" duration_seconds=" + SecondsText(result_.duration_seconds));
  } else {
    Log(std::string("msg=\"Probe failed\" reason=") + FailureReasonName(reason) + " err=\"" + error +
        "\" duration_seconds=" + SecondsText(result_.duration_seconds));
  }
}

bool ProbeRun::SetupHop() {
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
  if (remaining <= 0) {
    Finish(FailureReason::kTimeout, "timeout before request " + std::to_string(hop_ + 1));
    return false;
  }
  ++hop_;
  if (!CheckHopAllowed()) {
    return false;
  }
  result_.tls = TlsFacts{};  // TLS facts describe the final hop, as in blackbox
  body_.clear();
  response_headers_.clear();
  status_line_.clear();
  error_buffer_[0] = '\0';
  // libcurl starts the hop's clock when the multi handle first runs it, just after this.
  hop_start_ = Clock::now();
  tcp_connected_ = {};
  const bool https = url_.rfind("https://", 0) == 0;
  // Only a redirect can lead to another host, so the first hop never parses
  // its URL (a curl_url round trip was ~4% of a single-hop probe's CPU).
  const bool same_host = hop_ == 1 || UrlHost(*curl_, url_) == OriginalHost();
  if (!same_host) {
    send_auth_ = false;  // like Go's client: credentials never follow a redirect to another host
  }

  curl_->slist_free_all(headers_);
  headers_ = nullptr;
  for (const auto& [name, value] : config_.headers) {
    if (!send_auth_ && strcasecmp(name.c_str(), "Authorization") == 0) {
      continue;
    }
    headers_ = curl_->slist_append(headers_, (name + ": " + value).c_str());
  }
  if (send_auth_ && !config_.bearer_token.empty()) {
    headers_ = curl_->slist_append(headers_, ("Authorization: Bearer " + config_.bearer_token).c_str());
  }

  curl_->slist_free_all(connect_to_);
  connect_to_ = nullptr;
  std::string request_url = url_;
  if (https && !config_.tls.server_name.empty() && same_host) {
    request_url = ApplyServerName(url_);
  }

  CURL* e = easy_;
  curl_->easy_setopt(e, CURLOPT_URL, request_url.c_str());
  curl_->easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_);
  curl_->easy_setopt(e, CURLOPT_PRIVATE, this);
  curl_->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  // A fresh measurement every run: no connection, DNS or TLS session reuse.
  curl_->easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
  curl_->easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  curl_->easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  curl_->easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  curl_->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // we follow hop by hop
  curl_->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_->easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining));
  curl_->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(remaining));
  curl_->easy_setopt(e, CURLOPT_IPRESOLVE, ip_resolve_);
  curl_->easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_->easy_setopt(e, CURLOPT_WRITEFUNCTION, &ProbeRun::WriteCallback);
  curl_->easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_->easy_setopt(e, CURLOPT_HEADERFUNCTION, &ProbeRun::HeaderCallback);
  curl_->easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_->easy_setopt(e, CURLOPT_FILETIME, 1L);
  curl_->easy_setopt(e, CURLOPT_USERAGENT, "hostwatch");
  curl_->easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
  // "" disables proxies, including the http_proxy environment (blackbox: proxy_from_environment=false).
  curl_->easy_setopt(e, CURLOPT_PROXY, config_.proxy_url.c_str());
  bool decode = !config_.compression.empty() && config_.compression != "identity";
  curl_->easy_setopt(e, CURLOPT_ACCEPT_ENCODING, decode ? config_.compression.c_str() : nullptr);
  if (config_.body_size_limit > 0) {
    // Backstop only: our write callback enforces the limit on decoded bytes.
    curl_->easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(config_.body_size_limit));
  }

  if (send_auth_ && config_.basic_auth) {
    curl_->easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_->easy_setopt(e, CURLOPT_USERNAME, config_.basic_auth->username.c_str());
    curl_->easy_setopt(e, CURLOPT_PASSWORD, config_.basic_auth->password.c_str());
  } else {
    curl_->easy_setopt(e, CURLOPT_USERNAME, nullptr);
    curl_->easy_setopt(e, CURLOPT_PASSWORD, nullptr);
  }

  curl_->easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  if (method_ == "GET") {
    curl_->easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (method_ == "HEAD") {
    curl_->easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_->easy_setopt(e, CURLOPT_NOBODY, 0L);
    if (send_body_ && !config_.body.empty()) {
      curl_->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(config_.body.size()));
      curl_->easy_setopt(e, CURLOPT_COPYPOSTFIELDS, config_.body.c_str());
    } else {
      curl_->easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_->easy_setopt(e, CURLOPT_CUSTOMREQUEST, method_.c_str());
  }

  if (https) {
    curl_->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, config_.tls.insecure_skip_verify ? 0L : 1L);
    curl_->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, config_.tls.insecure_skip_verify ? 0L : 2L);
    curl_->easy_setopt(e, CURLOPT_CAINFO, config_.tls.ca_file.empty() ? nullptr : config_.tls.ca_file.c_str());
    curl_->easy_setopt(e, CURLOPT_SSLCERT, config_.tls.cert_file.empty() ? nullptr : config_.tls.cert_file.c_str());
    curl_->easy_setopt(e, CURLOPT_SSLKEY, config_.tls.key_file.empty() ? nullptr : config_.tls.key_file.c_str());
    long min_version = CURL_SSLVERSION_TLSv1_2;  // blackbox's default minimum
    if (config_.tls.min_version == "TLS10") {
      min_version = CURL_SSLVERSION_TLSv1_0;
    } else if (config_.tls.min_version == "TLS11") {
      min_version = CURL_SSLVERSION_TLSv1_1;
    } else if (config_.tls.min_version == "TLS13") {
      min_version = CURL_SSLVERSION_TLSv1_3;
    }
    curl_->easy_setopt(e, CURLOPT_SSLVERSION, min_version);
    curl_->easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &ProbeRun::SslCtxCallback);
    curl_->easy_setopt(e, CURLOPT_SSL_CTX_DATA, this);
  }
  if (policy_ != nullptr) {
    // Checked on the socket libcurl is about to connect, i.e. on the address
    // it really uses after its own resolution (and for each address it tries):
    // no window between our check and its lookup for DNS rebinding to use.
    curl_->easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &ProbeRun::OpenSocketCallback);
    curl_->easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
  }

  Log("msg=\"Making HTTP request\" hop=" + std::to_string(hop_) + " method=" + method_ + " url=\"" + RedactUrl(url_) +
      "\" ip_protocol=" + (ip_resolve_ == CURL_IPRESOLVE_V6 ? "ip6" : "ip4"));
  return true;
}

bool ProbeRun::CheckHopAllowed() {
  address_check_ = false;
  refused_address_.clear();
  if (policy_ == nullptr) {
    return true;
  }
  std::string why;
  std::optional<TargetHost> target = ParseTargetUrl(url_, &why);
  TargetPolicy::Verdict verdict = target ? policy_->CheckUrl(*target, &why) : TargetPolicy::Verdict::kDenied;
  if (verdict == TargetPolicy::Verdict::kDenied) {
    Finish(FailureReason::kNotAllowed, (hop_ > 1 ? "redirect refused: " : "") + why);
    return false;
  }
  address_check_ = verdict == TargetPolicy::Verdict::kNeedsAddressCheck;
  return true;
}

curl_socket_t ProbeRun::OpenSocketCallback(void* self, curlsocktype purpose, curl_sockaddr* address) {
  auto* run = static_cast<ProbeRun*>(self);
  if (run->address_check_ && purpose == CURLSOCKTYPE_IPCXN) {
    const sockaddr* sa = &address->addr;
    const std::uint8_t* bytes = nullptr;
    int port = 0;
    if (address->family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
      bytes = reinterpret_cast<const std::uint8_t*>(&in->sin_addr);
      port = ntohs(in->sin_port);
    } else if (address->family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
      bytes = reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr);
      port = ntohs(in6->sin6_port);
    }
    if (bytes == nullptr || !run->policy_->CheckAddress(address->family, bytes, port)) {
      char text[INET6_ADDRSTRLEN] = "?";
      if (bytes != nullptr) {
        inet_ntop(address->family, bytes, text, sizeof(text));
      }
      run->refused_address_ = std::string(text) + ":" + std::to_string(port);
      return CURL_SOCKET_BAD;  // libcurl tries the next address, then fails with COULDNT_CONNECT
    }
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

CURLcode ProbeRun::SslCtxCallback(CURL*, void* ssl_ctx, void* self) {
  static_cast<ProbeRun*>(self)->tcp_connected_ = Clock::now();
  SSL_CTX_set_cert_verify_callback(static_cast<SSL_CTX*>(ssl_ctx), &CaptureChainAndVerify, self);
  return CURLE_OK;
}

void ProbeRun::OnPeerChain(double earliest_expiry, bool verified, double verified_chain_expiry) {
  result_.tls.present = true;
  result_.tls.earliest_cert_expiry = earliest_expiry;
  result_.tls.verified = verified;
  result_.tls.last_chain_expiry = verified_chain_expiry;
}

void ProbeRun::OnVerifiedLeaf(X509* leaf) {
  if (!config_.tls.export_chain_info) {
    return;
  }
  result_.tls.last_chain_leaf = CertificateInfo{Sha256Fingerprint(leaf), DistinguishedName(X509_get_subject_name(leaf)),
                                                DistinguishedName(X509_get_issuer_name(leaf)), DnsAlternativeNames(leaf)};
}

size_t ProbeRun::WriteCallback(char* data, size_t size, size_t n, void* self) {
  auto* run = static_cast<ProbeRun*>(self);
  const size_t bytes = size * n;
  run->result_.uncompressed_body_length += static_cast<std::int64_t>(bytes);
  if (run->config_.body_size_limit > 0 && run->result_.uncompressed_body_length > run->config_.body_size_limit) {
    run->body_limit_hit_ = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  bool need_body =
      !run->config_.fail_if_body_matches_regexp.empty() || !run->config_.fail_if_body_not_matches_regexp.empty();
  if (need_body && run->body_.size() < kMaxBufferedBody) {
    run->body_.append(data, std::min(bytes, kMaxBufferedBody - run->body_.size()));
  }
  return bytes;
}

size_t ProbeRun::HeaderCallback(char* data, size_t size, size_t n, void* self) {
  auto* run = static_cast<ProbeRun*>(self);
  const size_t bytes = size * n;
  const HeaderLine line = ParseHeaderLine(std::string_view(data, bytes));
  if (line.kind == HeaderLine::Kind::kStatus) {
    // A new response (also after 100 Continue): headers start over. The TLS
    // session pointer is only valid during the transfer, so read it now.
    run->status_line_ = std::string(line.value);
    run->response_headers_.clear();
    const curl_tlssessioninfo* info = nullptr;
    if (run->curl_->easy_getinfo(run->easy_, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr) {
      SSL* ssl = static_cast<SSL*>(info->internals);
      run->result_.tls.version = TlsVersionName(SSL_get_version(ssl));
      const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
      const char* name = cipher != nullptr ? SSL_CIPHER_standard_name(cipher) : nullptr;
      run->result_.tls.cipher = name != nullptr ? name : "";
    }
  } else if (line.kind == HeaderLine::Kind::kField) {
    run->response_headers_.emplace_back(std::string(line.name), std::string(line.value));
  }
  return bytes;
}

CurlMarks ProbeRun::ReadMarks() const {
  CurlMarks m;
  curl_off_t v = 0;
  if (curl_->easy_getinfo(easy_, CURLINFO_NAMELOOKUP_TIME_T, &v) == CURLE_OK) m.namelookup = v;
  if (curl_->easy_getinfo(easy_, CURLINFO_CONNECT_TIME_T, &v) == CURLE_OK) m.connect = v;
  if (curl_->easy_getinfo(easy_, CURLINFO_APPCONNECT_TIME_T, &v) == CURLE_OK) m.appconnect = v;
  if (curl_->easy_getinfo(easy_, CURLINFO_STARTTRANSFER_TIME_T, &v) == CURLE_OK) m.starttransfer = v;
  if (curl_->easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &v) == CURLE_OK) m.total = v;
  return m;
}

void ProbeRun::RecordAddress() {
  char* ip = nullptr;
  if (curl_->easy_getinfo(easy_, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || ip == nullptr || ip[0] == '\0') {
    return;
  }
  std::string addr(ip);
  result_.resolved = true;
  result_.ip_protocol = addr.find(':') != std::string::npos ? 6 : 4;
  result_.ip_addr_hash = IpAddrHash(addr);
  Log("msg=\"Connected\" ip=" + addr);
}

bool ProbeRun::OnTransferDone(CURLcode code) {
  const bool https = url_.rfind("https://", 0) == 0;
  CurlMarks marks = ReadMarks();
  if (https && tcp_connected_ > hop_start_) {
    marks = WithTcpConnectMark(
        marks, std::chrono::duration_cast<std::chrono::microseconds>(tcp_connected_ - hop_start_).count());
  }
  PhaseDurations hop = PhasesFromMarks(marks, https);
  result_.phases += hop;
  result_.duration_seconds += MicrosToSeconds(marks.total);
  if (hop_ == 1) {
    result_.dns_lookup_seconds += hop.resolve;  // blackbox: the lookup before the first request
  }
  RecordAddress();

  if (code != CURLE_OK) {
    if (code == CURLE_COULDNT_RESOLVE_HOST && config_.ip_protocol_fallback && !fell_back_) {
      // blackbox's ip_protocol_fallback: no address of the preferred family, try the other.
      fell_back_ = true;
      ip_resolve_ = ip_resolve_ == CURL_IPRESOLVE_V4 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
      Log("msg=\"No address of the preferred family, falling back\"");
      --hop_;
      return SetupHop();
    }
    std::string err = error_buffer_[0] != '\0' ? error_buffer_ : curl_->easy_strerror(code);
    if (!refused_address_.empty() && code == CURLE_COULDNT_CONNECT) {
      Finish(FailureReason::kNotAllowed, "connection to " + refused_address_ + " (resolved from " + UrlHost(*curl_, url_) +
                                             ") refused: address not in http_checks.probe_targets.allowed_targets");
      return false;
    }
    if (body_limit_hit_) {
      err = "body exceeded body_size_limit of " + std::to_string(config_.body_size_limit) + " bytes";
    }
    Finish(ReasonForCurlCode(code, body_limit_hit_), err);
    return false;
  }

  long status = 0;
  long version = 0;
  curl_->easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  curl_->easy_getinfo(easy_, CURLINFO_HTTP_VERSION, &version);
  result_.status_code = status;
  result_.http_version = HttpVersionNumber(version);
  result_.ssl = https;
  Log("msg=\"Received HTTP response\" status_code=" + std::to_string(status) +
      " version=" + HttpVersionString(version));

  char* location = nullptr;
  curl_->easy_getinfo(easy_, CURLINFO_REDIRECT_URL, &location);
  const bool is_redirect = status >= 300 && status < 400 && location != nullptr && location[0] != '\0';
  if (is_redirect && config_.follow_redirects) {
    if (result_.redirects >= config_.max_redirects) {
      Finish(FailureReason::kRedirectLoop, "stopped after " + std::to_string(config_.max_redirects) + " redirects");
      return false;
    }
    ++result_.redirects;
    url_ = location;
    if (connect_to_ != nullptr && UrlHost(*curl_, url_) == ToLower(config_.tls.server_name)) {
      // A relative redirect resolved against our rewritten URL: back to the real host.
      CURLU* h = curl_->url();
      char* real = nullptr;
      if (h != nullptr && curl_->url_set(h, CURLUPART_URL, url_.c_str(), 0) == CURLUE_OK &&
          curl_->url_set(h, CURLUPART_HOST, OriginalHost().c_str(), 0) == CURLUE_OK &&
          curl_->url_get(h, CURLUPART_URL, &real, 0) == CURLUE_OK) {
        url_ = real;
      }
      curl_->free(real);
      curl_->url_cleanup(h);
    }
    // Go's client: 301/302/303 turn a request with a body into a GET.
    if ((status == 301 || status == 302 || status == 303) && method_ != "GET" && method_ != "HEAD") {
      method_ = "GET";
      send_body_ = false;
    }
    Log("msg=\"Following redirect\" location=\"" + RedactUrl(url_) + "\"");
    result_.uncompressed_body_length = 0;  // the final response's body is what counts
    return SetupHop();
  }
  if (is_redirect) {
    result_.redirects = 1;  // blackbox counts the redirect it did not follow
  }

  curl_off_t length = -1;
  curl_->easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  result_.content_length = length;
  curl_off_t filetime = -1;
  if (curl_->easy_getinfo(easy_, CURLINFO_FILETIME_T, &filetime) == CURLE_OK && filetime >= 0) {
    result_.last_modified = static_cast<double>(filetime);
  }

  ResponseFacts facts;
  facts.status_code = status;
  facts.http_version = HttpVersionString(version);
  facts.ssl = https;
  facts.headers = std::move(response_headers_);
  facts.body = body_;
  std::string why;
  FailureReason verdict = EvaluateResponse(config_, facts, &why);
  result_.failed_due_to_regex = verdict == FailureReason::kRegex;
  Finish(verdict, why);
  return false;
}

namespace {

// Multi handles of finished blocking probes, kept for the next ones. A new multi handle per
// probe cost libcurl a wake-up socketpair (socketpair, four fcntl, two close: 7 of an ad-hoc
// probe's ~31 syscalls) and its hash tables. Reuse carries nothing from one probe to the next:
// every run's easy handle forbids connection reuse and caches neither DNS answers nor TLS
// sessions (ProbeRun), and has left the multi handle before it is given back. At most kMaxIdle
// are kept (each holds its socketpair); ad-hoc probes at once are bounded by max_concurrent.
class IdleMultiHandles {
 public:
  CURLM* Take(const CurlApi& curl) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURLM* multi = idle_.back();
        idle_.pop_back();
        return multi;
      }
    }
    return curl.multi_init();
  }

  void Give(const CurlApi& curl, CURLM* multi) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.size() < kMaxIdle) {
        idle_.push_back(multi);
        return;
      }
    }
    curl.multi_cleanup(multi);
  }

 private:
  static constexpr std::size_t kMaxIdle = 4;
  std::mutex mu_;
  std::vector<CURLM*> idle_;  // Guarded by mu_.
};

// Never destroyed: libcurl is never unloaded, and cleaning up at exit would race probes that
// the shutdown aborts.
IdleMultiHandles& IdleMultis() {
  static IdleMultiHandles* const idle = new IdleMultiHandles;
  return *idle;
}

}  // namespace

ProbeResult RunProbeBlocking(const HttpCheckConfig& config, const TargetPolicy* policy,
                             const std::atomic<bool>* abort) {
  ProbeRun run(config, Clock::now(), policy);
  CURL* easy = run.handle();
  // A run with an easy handle has loaded libcurl (ProbeRun's constructor).
  const CurlApi* curl = easy != nullptr ? LoadCurl() : nullptr;
  CURLM* multi = curl != nullptr ? IdleMultis().Take(*curl) : nullptr;
  if (multi == nullptr) {
    return run.TakeResult();  // setup failed or refused: already finished with its reason
  }
  // Each hop carries CURLOPT_TIMEOUT_MS from the run's deadline, so libcurl
  // ends the transfer in time; the wall-clock guard is a backstop only.
  const Clock::time_point give_up = Clock::now() + config.timeout + std::chrono::seconds(2);
  curl->multi_add_handle(multi, easy);
  bool finished = false;
  bool aborted = false;
  while (!finished && Clock::now() < give_up) {
    if (abort != nullptr && abort->load()) {
      aborted = true;
      break;
    }
    int running = 0;
    curl->multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl->multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) {
        continue;
      }
      CURLcode code = msg->data.result;
      curl->multi_remove_handle(multi, easy);
      if (run.OnTransferDone(code)) {
        curl->multi_add_handle(multi, easy);  // next redirect hop
      } else {
        finished = true;
      }
      break;
    }
    if (!finished) {
      curl->multi_poll(multi, nullptr, 0, 100, nullptr);
    }
  }
  if (!finished) {
    curl->multi_remove_handle(multi, easy);
  }
  IdleMultis().Give(*curl, multi);
  ProbeResult result = run.TakeResult();
  if (!finished) {
    result.success = false;
    result.reason = aborted ? FailureReason::kOther : FailureReason::kTimeout;
    result.error = aborted ? "aborted: the agent is shutting down" : "probe did not finish within its timeout";
  }
  return result;
}

}  // namespace hostwatch
