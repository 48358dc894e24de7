// ProbeRun, part two: setting up a hop (libcurl options, request headers,
// tls.server_name, the ad-hoc target policy) and the callbacks that act while
// a connection is made. The run and the reading of finished hops are in
// http_probe.cpp.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>

#include "collectors/checks/http/curl_tls_options.h"
#include "collectors/checks/http/http_probe.h"
#include "collectors/checks/http/redact_url.h"

namespace hostwatch {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

const std::string& ProbeRun::HostHeaderOverride() const {
  static const std::string kNone;
  return ad_hoc_ != nullptr ? ad_hoc_->host_header : kNone;
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
  ResetHopState();
  const bool https = url_.rfind("https://", 0) == 0;
  // Only a redirect can lead to another origin, so a configured check's first
  // hop never parses its URL (a curl_url round trip was ~4% of a single-hop
  // probe's CPU); an ad-hoc target's origin decides about credentials at once.
  UrlOrigin origin;
  if (hop_ > 1 || ad_hoc_ != nullptr) {
    origin = UrlOriginOf(*curl_, url_);
  }
  const bool same_origin = hop_ == 1 || origin == OriginalOrigin();
  const bool same_host = hop_ == 1 || origin.host == OriginalHost();
  send_credentials_ = CredentialsAllowed(https, same_origin, origin);
  BuildRequestHeaders(same_host);
  SetTransferOptions(RequestUrl(https, same_host), static_cast<long>(remaining));
  SetAuthOptions();
  SetMethodOptions();
  if (https) {
    SetTlsOptions();
  }
  // Checked on the socket libcurl is about to connect, i.e. on the address
  // it really uses after its own resolution (and for each address it tries),
  // before connect(): no window between our check and its lookup for DNS
  // rebinding to use, and a refused address never sees a packet.
  // (CURLOPT_PREREQFUNCTION, also in 7.88, runs only after the connection is made.)
  guard_.Install(*curl_, easy_);
  Log("msg=\"Making HTTP request\" hop=" + std::to_string(hop_) + " method=" + method_ + " url=\"" +
      RedactUrl(url_, config_.redact_query_params) + "\" ip_protocol=" +
      (ip_resolve_ == CURL_IPRESOLVE_V6 ? "ip6" : "ip4") +
      (HostHeaderOverride().empty() || !same_host ? "" : " host=\"" + HostHeaderOverride() + "\""));
  return true;
}

void ProbeRun::ResetHopState() {
  result_.tls = TlsFacts{};  // TLS facts describe the final hop, as in blackbox
  body_.clear();
  response_headers_.clear();
  status_line_.clear();
  error_buffer_[0] = '\0';
  // libcurl starts the hop's clock when the multi handle first runs it, just after this.
  hop_start_ = Clock::now();
  tcp_connected_ = {};
}

bool ProbeRun::CredentialsAllowed(bool https, bool same_origin, const UrlOrigin& origin) {
  const bool has_credentials = !config_.headers.empty() || config_.basic_auth || !config_.bearer_token.empty();
  const char* withheld = nullptr;
  if (!same_origin && !config_.follow_redirects_keep_headers) {
    withheld = "redirect to another origin (follow_redirects_keep_headers is off)";
  } else if (ad_hoc_ != nullptr && !https && !hop_credentials_over_http_ &&
             origin != UrlOriginOf(*curl_, ad_hoc_->module_url)) {
    withheld = "ad-hoc target over http that is not the module's own origin (see send_credentials_over_http)";
  }
  if (withheld != nullptr && has_credentials) {
    Log(std::string("msg=\"Not sending the check's headers and credentials\" reason=\"") + withheld + "\"");
  }
  return withheld == nullptr;
}

void ProbeRun::BuildRequestHeaders(bool same_host) {
  curl_->slist_free_all(headers_);
  headers_ = nullptr;
  // /probe's hostname names the target's host, so it goes with every hop there (a relative
  // redirect keeps it, as Go's client keeps a custom Host), credentials or not: it is no secret.
  const std::string& host_header = HostHeaderOverride();
  if (same_host && !host_header.empty()) {
    headers_ = curl_->slist_append(headers_, ("Host: " + host_header).c_str());
  }
  if (!send_credentials_) {
    return;
  }
  for (const auto& [name, value] : config_.headers) {
    if (!host_header.empty() && strcasecmp(name.c_str(), "Host") == 0) {
      continue;  // equal to the parameter (PlanAdHoc refused another) and sent above
    }
    headers_ = curl_->slist_append(headers_, (name + ": " + value).c_str());
  }
  if (!config_.bearer_token.empty()) {
    headers_ = curl_->slist_append(headers_, ("Authorization: Bearer " + config_.bearer_token).c_str());
  }
}

std::string ProbeRun::RequestUrl(bool https, bool same_host) {
  curl_->slist_free_all(connect_to_);
  connect_to_ = nullptr;
  if (https && !config_.tls.server_name.empty() && same_host) {
    return ApplyServerName(url_);
  }
  return url_;
}

void ProbeRun::SetTransferOptions(const std::string& request_url, long remaining_ms) {
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
  curl_->easy_setopt(e, CURLOPT_TIMEOUT_MS, remaining_ms);
  curl_->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, remaining_ms);
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
  const bool env_proxy = config_.proxy_from_environment && config_.proxy_url.empty();
  curl_->easy_setopt(e, CURLOPT_PROXY, env_proxy ? nullptr : config_.proxy_url.c_str());  // null: the environment's
  curl_->easy_setopt(e, CURLOPT_NOPROXY, config_.no_proxy.empty() ? nullptr : config_.no_proxy.c_str());
  if (!config_.enable_http2) {
    curl_->easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  }
  bool decode = !config_.compression.empty() && config_.compression != "identity";
  curl_->easy_setopt(e, CURLOPT_ACCEPT_ENCODING, decode ? config_.compression.c_str() : nullptr);
  if (config_.body_size_limit > 0) {
    // Backstop only: our write callback enforces the limit on decoded bytes.
    curl_->easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(config_.body_size_limit));
  }
}

void ProbeRun::SetAuthOptions() {
  if (send_credentials_ && config_.basic_auth) {
    curl_->easy_setopt(easy_, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_->easy_setopt(easy_, CURLOPT_USERNAME, config_.basic_auth->username.c_str());
    curl_->easy_setopt(easy_, CURLOPT_PASSWORD, config_.basic_auth->password.c_str());
  } else {
    curl_->easy_setopt(easy_, CURLOPT_USERNAME, nullptr);
    curl_->easy_setopt(easy_, CURLOPT_PASSWORD, nullptr);
  }
}

void ProbeRun::SetMethodOptions() {
  CURL* e = easy_;
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
}

void ProbeRun::SetTlsOptions() {
  CURL* e = easy_;
  SetCurlTlsOptions(*curl_, e, config_.tls);
  curl_->easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &ProbeRun::SslCtxCallback);
  curl_->easy_setopt(e, CURLOPT_SSL_CTX_DATA, this);
}

std::string ProbeRun::ApplyServerName(const std::string& url) {
  std::optional<ServerNameRoute> route = RouteToServerName(*curl_, url, config_.tls.server_name);
  if (!route) {
    return url;
  }
  connect_to_ = curl_->slist_append(nullptr, route->connect_to.c_str());
  // A configured Host header stands in for ours only on hops that send the configured headers;
  // /probe's hostname always does (this is a hop to the target's host).
  bool has_host =
      !HostHeaderOverride().empty() ||
      (send_credentials_ && std::any_of(config_.headers.begin(), config_.headers.end(),
                                        [](const auto& kv) { return strcasecmp(kv.first.c_str(), "Host") == 0; }));
  if (!has_host) {
    headers_ = curl_->slist_append(headers_, route->host_header.c_str());
  }
  return route->url;
}

const UrlOrigin& ProbeRun::OriginalOrigin() {
  if (!original_known_) {
    original_ = UrlOriginOf(*curl_, config_.url);
    original_known_ = true;
  }
  return original_;
}

bool ProbeRun::CheckHopAllowed() {
  guard_.Reset();
  guard_.guard.verdict = TargetPolicy::Verdict::kDenied;
  hop_credentials_over_http_ = false;
  if (ad_hoc_ == nullptr) {
    return true;
  }
  guard_.guard.policy = ad_hoc_->policy;
  std::string why;
  std::optional<TargetHost> target = ParseTargetUrl(url_, &why);
  if (target) {
    guard_.guard.verdict = ad_hoc_->policy->CheckUrl(*target, &why, &hop_credentials_over_http_);
  }
  if (guard_.guard.verdict == TargetPolicy::Verdict::kDenied) {
    Finish(FailureReason::kNotAllowed, (hop_ > 1 ? "redirect refused: " : "") + why);
    return false;
  }
  return true;
}

CURLcode ProbeRun::SslCtxCallback(CURL*, void* ssl_ctx, void* self) {
  auto* run = static_cast<ProbeRun*>(self);
  run->tcp_connected_ = Clock::now();
  InstallChainCapture(static_cast<SSL_CTX*>(ssl_ctx), &run->tls_capture_);
  return CURLE_OK;
}

}  // namespace hostwatch
