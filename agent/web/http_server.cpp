#include "agent/web/http_server.h"

#include <CivetServer.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>

#include "agent/logging.h"
#include "agent/web/gzip.h"
#include "agent/web/web_security.h"
#include "collectors/core/metric_sink.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

const MetricDesc kHttpRequests{"hostwatch_http_requests_total",
                               "HTTP requests served by the agent, by route and status code.",
                               MetricType::Counter,
                               {"code", "path"}};

// CivetWeb reports bind errors through log_message before the constructor
// throws; keep the messages (the first names the cause, e.g. "cannot bind to
// 127.0.0.1:9555: 98 (Address already in use)") so the startup error can say it.
std::mutex g_civet_error_mu;
std::string g_civet_last_error;

int OnCivetLog(const mg_connection*, const char* message) {
  {
    std::lock_guard<std::mutex> lock(g_civet_error_mu);
    if (g_civet_last_error.size() < 1024) {
      g_civet_last_error += (g_civet_last_error.empty() ? "" : "; ") + std::string(message);
    }
  }
  logging::Debug("civetweb", {{"detail", message}});
  return 1;  // handled: do not print to stderr
}

// ClientHello callback on CivetWeb's SSL_CTX: applies the web config's current TLS
// material to this connection before the protocol version is negotiated, so renewed
// certificates and changed TLS settings apply to new connections without a restart.
int OnClientHello(SSL* ssl, int* alert, void* arg) {
  std::shared_ptr<const WebSecurity::State> state = static_cast<WebSecurity*>(arg)->Current();
  if (!state->tls || !state->tls->ApplyTo(ssl)) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

// CivetWeb's init_ssl callback: user_data is the CivetServer, whose user context is our
// WebSecurity. Returning 1 tells CivetWeb the context is fully set up (no ssl_certificate).
int OnInitSsl(void* ssl_ctx, void* user_data) {
  const void* context = static_cast<CivetServer*>(user_data)->getUserContext();
  auto* security = static_cast<WebSecurity*>(const_cast<void*>(context));
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  std::shared_ptr<const WebSecurity::State> state = security->Current();
  if (!state->tls || !state->tls->PrepareContext(ctx)) {
    logging::Error("cannot set up TLS", {{"err", OpenSslError()}});
    return -1;
  }
  SSL_CTX_set_client_hello_cb(ctx, OnClientHello, security);
  return 1;
}

// True when the request declares a body: a positive Content-Length or a Transfer-Encoding other
// than identity (CivetWeb answers 400 to any but chunked and identity before we see the request).
bool DeclaresBody(const mg_request_info& info, const char* transfer_encoding) {
  return info.content_length > 0 ||
         (transfer_encoding != nullptr && !EqualsIgnoreAsciiCase(TrimSpace(transfer_encoding), "identity"));
}

// The Host header's value; null when there is none or more than one (RFC 9112 §3.2: a request
// with two is invalid, and mg_get_header would show only the first).
const char* SingleHostHeader(const mg_request_info& info) {
  const char* host = nullptr;
  for (int i = 0; i < info.num_headers; ++i) {
    if (EqualsIgnoreAsciiCase(info.http_headers[i].name, "Host")) {
      if (host != nullptr) {
        return nullptr;
      }
      host = info.http_headers[i].value;
    }
  }
  return host;
}

HttpResponse ErrorResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Writes a complete response on conn.
void WriteHttpResponse(mg_connection* conn, const HttpResponse& response, bool head_only, bool gzip) {
  std::string compressed;
  const std::string* body = &response.body;
  if (gzip) {
    compressed = GzipCompress(response.body);
    if (!compressed.empty()) {
      body = &compressed;
    } else {
      gzip = false;
    }
  }
  std::string head =
      "HTTP/1.1 " + std::to_string(response.status) + " " + mg_get_response_code_text(conn, response.status) + "\r\n";
  head += "Content-Type: " + response.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  if (gzip) {
    head += "Content-Encoding: gzip\r\n";
  }
  if (response.allow_gzip) {
    head += "Vary: Accept-Encoding\r\n";
  }
  for (const auto& [k, v] : response.headers) {
    head += k + ": " + v + "\r\n";
  }
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (!head_only) {
    mg_write(conn, body->data(), body->size());
  }
}

}  // namespace

std::string HttpRequest::Header(const char* name) const {
  const char* v = mg_get_header(conn, name);
  return v ? v : "";
}

class HttpServer::Dispatcher : public CivetHandler {
 public:
  explicit Dispatcher(HttpServer* server) : server_(server) {}
  bool handleGet(CivetServer*, mg_connection* c) override { return Serve(c); }
  bool handleHead(CivetServer*, mg_connection* c) override { return Serve(c); }
  bool handlePost(CivetServer*, mg_connection* c) override { return Serve(c); }
  bool handlePut(CivetServer*, mg_connection* c) override { return Serve(c); }
  bool handleDelete(CivetServer*, mg_connection* c) override { return Serve(c); }
  bool handleOptions(CivetServer*, mg_connection* c) override { return Serve(c); }
  bool handlePatch(CivetServer*, mg_connection* c) override { return Serve(c); }

 private:
  bool Serve(mg_connection* c) {
    server_->Serve(c);
    return true;
  }
  HttpServer* server_;
};

HttpServer::HttpServer() : dispatcher_(std::make_unique<Dispatcher>(this)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string path, std::vector<std::string> methods, HttpHandler handler, RequestBody body) {
  routes_[std::move(path)] = RouteEntry{std::move(methods), std::move(handler), body};
}

Status HttpServer::Start(const HttpServerOptions& options) {
  security_ = options.security;
  allowed_hosts_ = options.allowed_hosts;
  const bool tls = security_ != nullptr && security_->tls_enabled();
  std::vector<std::string> ports = options.listen;
  if (tls) {
    for (std::string& p : ports) {
      p += "s";
    }
  }
  std::vector<std::string> civet_options = {
      "listening_ports", Join(ports, ","),
      "num_threads", std::to_string(options.worker_threads),
      "request_timeout_ms", std::to_string(options.request_timeout_ms),
      // The accept queue may hold as many connections as there are workers; beyond that the
      // kernel's listen backlog holds them.
      "connection_queue", std::to_string(options.worker_threads),
      "max_request_size", std::to_string(options.max_request_header_bytes),
      "enable_keep_alive", "yes",
      "keep_alive_timeout_ms", std::to_string(options.keep_alive_timeout_ms),
      // Headers and body are written separately; without this, Nagle's
      // algorithm stalls keep-alive responses by ~40 ms.
      "tcp_nodelay", "1",
  };
  CivetCallbacks callbacks;
  callbacks.log_message = OnCivetLog;
  if (tls) {
    callbacks.init_ssl = OnInitSsl;
  }
  {
    std::lock_guard<std::mutex> lock(g_civet_error_mu);
    g_civet_last_error.clear();
  }
  mg_hostwatch_use_inherited_listeners(options.inherited_listen_fds.data(),
                                       static_cast<int>(options.inherited_listen_fds.size()));
  try {
    server_ = std::make_unique<CivetServer>(civet_options, &callbacks, security_);
  } catch (const CivetException& e) {
    std::string detail;
    {
      std::lock_guard<std::mutex> lock(g_civet_error_mu);
      detail = g_civet_last_error.empty() ? e.what() : g_civet_last_error;
    }
    return Status::Error("cannot listen on " + Join(options.listen, ",") + ": " + detail);
  }
  server_->addHandler("/", dispatcher_.get());
  return Status::OK();
}

void HttpServer::Stop() {
  if (server_) {
    server_->close();
    server_.reset();
  }
}

std::vector<int> HttpServer::ListeningPorts() const {
  return server_ ? server_->getListeningPorts() : std::vector<int>{};
}

void HttpServer::Serve(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  HttpRequest req;
  req.method = info->request_method ? info->request_method : "";
  req.path = info->local_uri ? info->local_uri : "";
  req.query = info->query_string ? info->query_string : "";
  req.conn = conn;

  auto route = routes_.find(req.path);
  const std::string route_label = route != routes_.end() ? route->first : "other";  // bounded label
  const bool declares_body = DeclaresBody(*info, mg_get_header(conn, "Transfer-Encoding"));
  bool body_taken = false;
  // One web config state for the whole request (a reload meanwhile applies to the next one).
  std::shared_ptr<const WebSecurity::State> security = security_ ? security_->Current() : nullptr;
  HttpResponse resp;
  if (!allowed_hosts_.Allows(SingleHostHeader(*info))) {
    // Before authentication: a page that rebound its name to us learns nothing, not even whether
    // credentials are needed, and costs no password check.
    resp = ErrorResponse(421, "421 misdirected request: this server does not answer to that Host name\n");
  } else if (security && security->RequiresAuth(req.path) && !security->auth->Check(req.Header("Authorization"))) {
    // Checked before routing, so unauthenticated clients learn nothing about which paths exist.
    resp = ErrorResponse(401, "Unauthorized\n");
    resp.headers.emplace_back("WWW-Authenticate", "Basic");
  } else {
    resp = AnswerRoute(req, route, declares_body, &body_taken);
  }
  if (declares_body && !body_taken) {
    // Answered without reading the body: CivetWeb would read (and wait for) all of it to keep the
    // connection alive, so the connection closes instead.
    mg_hostwatch_close_after_response(conn);
    resp.headers.emplace_back("Connection", "close");
  }
  if (security) {
    for (const auto& header : security->config.headers) {
      resp.headers.push_back(header);
    }
  }
  bool gzip = resp.allow_gzip && AcceptsGzip(req.Header("Accept-Encoding"));
  WriteHttpResponse(conn, resp, req.method == "HEAD", gzip);
  Count(route_label, resp.status);
}

HttpResponse HttpServer::AnswerRoute(const HttpRequest& req, RouteMap::const_iterator route, bool declares_body,
                                     bool* body_taken) const {
  if (route == routes_.end()) {
    return ErrorResponse(404, "404 page not found\n");
  }
  const auto& methods = route->second.methods;
  bool has_get = std::find(methods.begin(), methods.end(), "GET") != methods.end();
  bool allowed =
      std::find(methods.begin(), methods.end(), req.method) != methods.end() || (req.method == "HEAD" && has_get);
  if (!allowed) {
    std::string allow;
    for (const auto& m : methods) {
      allow += (allow.empty() ? "" : ", ") + m;
    }
    if (has_get) {
      allow += ", HEAD";
    }
    HttpResponse resp = ErrorResponse(405, "405 method not allowed\n");
    resp.headers.emplace_back("Allow", allow);
    return resp;
  }
  if (declares_body && route->second.body == RequestBody::kRefused) {
    return ErrorResponse(413, "413 request body not accepted: this endpoint takes none\n");
  }
  *body_taken = declares_body;
  return route->second.handler(req);
}

void HttpServer::Count(const std::string& path, int status) {
  std::lock_guard<std::mutex> lock(counts_mu_);
  ++counts_[{path, status}];
}

void HttpServer::Collect(MetricSink& sink) const {
  std::lock_guard<std::mutex> lock(counts_mu_);
  for (const auto& [key, n] : counts_) {
    sink.Add(kHttpRequests, static_cast<double>(n), {std::to_string(key.second), key.first});
  }
}

}  // namespace hostwatch
