#include "collectors/checks/http/http_probe.h"

#include <openssl/ssl.h>
#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "collectors/checks/http/redact_url.h"
#include "collectors/checks/target_policy.h"
#include "collectors/checks/http/verdict.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;

// Bodies are kept in memory only to run the body regexes; past this much the
// rest is counted but not matched (blackbox reads everything, which is how it
// runs out of memory on a huge body).
constexpr std::size_t kMaxBufferedBody = 16 << 20;

double MicrosToSeconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }

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

ProbeRun::ProbeRun(const HttpCheckConfig& config, Clock::time_point start, const AdHocTargetRules* ad_hoc)
    : config_(config),
      ad_hoc_(ad_hoc),
      start_(start),
      deadline_(start + config.timeout),
      url_(config.url),
      method_(config.method) {
  tls_capture_.facts = &result_.tls;
  tls_capture_.export_chain_info = config.tls.export_chain_info;
  result_.start_unix = WallClockSeconds();
  result_.timeout_seconds = std::chrono::duration<double>(config.timeout).count();
  ip_resolve_ = config.preferred_ip_protocol == "ip6" ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
  // An IP literal is its own family whatever the preference, as blackbox resolves it (with ip6
  // preferred, libcurl would refuse an IPv4 literal instead of connecting to it).
  std::string why;
  if (std::optional<TargetHost> host = ParseTargetUrl(url_, &why); host && host->is_ip) {
    ip_resolve_ = host->host.find(':') != std::string::npos ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
  }
  Log("msg=\"Beginning probe\" url=\"" + RedactUrl(url_, config.redact_query_params) +
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

void ProbeRun::Log(std::string line) {
  // Relative time keeps lines short and comparable between runs.
  double t = std::chrono::duration<double>(Clock::now() - start_).count();
  result_.log.push_back("t=" + SecondsText(t) + " " + line);
}

void ProbeRun::Finish(FailureReason reason, const std::string& error) {
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
      ReadSessionFacts(static_cast<const SSL*>(info->internals), &run->result_.tls);
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
  RecordHopTiming(https);
  RecordAddress();
  if (code != CURLE_OK) {
    return OnTransferError(code);
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
    return FollowRedirect(location, status);
  }
  if (is_redirect) {
    result_.redirects = 1;  // blackbox counts the redirect it did not follow
  }
  FinishWithVerdict(https, status, version);
  return false;
}

void ProbeRun::RecordHopTiming(bool https) {
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
}

bool ProbeRun::OnTransferError(CURLcode code) {
  if (code == CURLE_COULDNT_RESOLVE_HOST && config_.ip_protocol_fallback && !fell_back_) {
    // blackbox's ip_protocol_fallback: no address of the preferred family, try the other.
    fell_back_ = true;
    ip_resolve_ = ip_resolve_ == CURL_IPRESOLVE_V4 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4;
    Log("msg=\"No address of the preferred family, falling back\"");
    --hop_;
    return SetupHop();
  }
  std::string err = error_buffer_[0] != '\0' ? error_buffer_ : curl_->easy_strerror(code);
  if (std::string refused = guard_.RefusalError(code, UrlHost(*curl_, url_)); !refused.empty()) {
    Finish(FailureReason::kNotAllowed, refused);
    return false;
  }
  if (body_limit_hit_) {
    err = "body exceeded body_size_limit of " + std::to_string(config_.body_size_limit) + " bytes";
  }
  Finish(ReasonForCurlCode(code, body_limit_hit_), err);
  return false;
}

bool ProbeRun::FollowRedirect(const char* location, long status) {
  if (result_.redirects >= config_.max_redirects) {
    Finish(FailureReason::kRedirectLoop, "stopped after " + std::to_string(config_.max_redirects) + " redirects");
    return false;
  }
  ++result_.redirects;
  url_ = location;
  if (connect_to_ != nullptr && strcasecmp(UrlHost(*curl_, url_).c_str(), config_.tls.server_name.c_str()) == 0) {
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
  Log("msg=\"Following redirect\" location=\"" + RedactUrl(url_, config_.redact_query_params) + "\"");
  result_.uncompressed_body_length = 0;  // the final response's body is what counts
  return SetupHop();
}

void ProbeRun::FinishWithVerdict(bool https, long status, long version) {
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
}

}  // namespace hostwatch
