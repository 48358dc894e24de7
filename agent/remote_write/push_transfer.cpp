#include "agent/remote_write/push_transfer.h"

#include "agent/remote_write/wire.h"
#include "collectors/checks/http/curl_tls_options.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch::remote_write {

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
  value = TrimSpace(value);
  if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::chrono::seconds(std::stol(std::string(value)));
}

PushTransfer::PushTransfer(const CurlApi& curl, const Endpoint& e, std::string body, std::function<void()> wake)
    : curl_(curl), body_(std::move(body)), wake_(std::move(wake)) {
  easy_ = curl_.easy_init();
  if (easy_ == nullptr) {
    result_.error = "curl_easy_init failed";
    done_ = true;
    return;
  }
  for (const std::string& h : {std::string("Content-Encoding: ") + kContentEncoding,
                               std::string("Content-Type: ") + kContentType,
                               std::string("X-Prometheus-Remote-Write-Version: ") + kRemoteWriteVersion,
                               "User-Agent: " + UserAgent(), std::string("Expect:")}) {
    headers_ = curl_.slist_append(headers_, h.c_str());
  }
  for (const auto& [name, value] : e.headers) {
    headers_ = curl_.slist_append(headers_, (name + ": " + value).c_str());
  }
  const bool https = e.url.rfind("https://", 0) == 0;
  std::string url = e.url;
  if (https && !e.tls.server_name.empty()) {
    if (std::optional<ServerNameRoute> route = RouteToServerName(curl_, e.url, e.tls.server_name)) {
      url = route->url;
      connect_to_ = curl_.slist_append(nullptr, route->connect_to.c_str());
      headers_ = curl_.slist_append(headers_, route->host_header.c_str());  // Host is a reserved header
      curl_.easy_setopt(easy_, CURLOPT_CONNECT_TO, connect_to_);
    }
  }
  curl_.easy_setopt(easy_, CURLOPT_URL, url.c_str());
  curl_.easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_.easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
  curl_.easy_setopt(easy_, CURLOPT_POST, 1L);
  curl_.easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.data());
  curl_.easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
  curl_.easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(e.remote_timeout.count()));
  curl_.easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_.easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &PushTransfer::OnBody);
  curl_.easy_setopt(easy_, CURLOPT_WRITEDATA, static_cast<void*>(this));
  curl_.easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &PushTransfer::OnHeader);
  curl_.easy_setopt(easy_, CURLOPT_HEADERDATA, static_cast<void*>(this));
  // No proxy from the environment: proxy_url is the one way to name one, as in Prometheus.
  curl_.easy_setopt(easy_, CURLOPT_PROXY, e.proxy_url.c_str());
  if (e.basic_auth) {
    curl_.easy_setopt(easy_, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_.easy_setopt(easy_, CURLOPT_USERNAME, e.basic_auth->username.c_str());
    curl_.easy_setopt(easy_, CURLOPT_PASSWORD, e.basic_auth->password.c_str());
  }
  if (https) {
    SetCurlTlsOptions(curl_, easy_, e.tls);
  }
}

PushTransfer::~PushTransfer() {
  if (easy_ != nullptr) {
    curl_.easy_cleanup(easy_);
  }
  if (headers_ != nullptr) {
    curl_.slist_free_all(headers_);
  }
  if (connect_to_ != nullptr) {
    curl_.slist_free_all(connect_to_);
  }
}

size_t PushTransfer::OnBody(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<PushTransfer*>(self);
  const size_t bytes = size * n;
  if (t->received_.size() < kMaxBodyStart) {
    t->received_.append(data, std::min(bytes, kMaxBodyStart - t->received_.size()));
  }
  return bytes;  // the rest is read and discarded: the connection stays reusable
}

size_t PushTransfer::OnHeader(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<PushTransfer*>(self);
  std::string_view line(data, size * n);
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos && EqualsIgnoreAsciiCase(line.substr(0, colon), "retry-after")) {
    t->retry_after_ = ParseRetryAfter(line.substr(colon + 1));
  }
  return size * n;
}

void PushTransfer::OnDone(CURLcode code) {
  PushResult r;
  if (code == CURLE_OK) {
    curl_.easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &r.status);
  } else {
    r.error = curl_.easy_strerror(code);
  }
  r.body_start = ToValidUtf8(received_);
  r.retry_after = retry_after_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    result_ = std::move(r);
    done_ = true;
  }
  wake_();
}

bool PushTransfer::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

PushResult PushTransfer::result() const {
  std::lock_guard<std::mutex> lock(mu_);
  return result_;
}

}  // namespace hostwatch::remote_write
