// HttpServer: our own CivetWeb server with exact-path routing.
//
// CivetWeb matches handler URIs by prefix and answers unknown methods itself,
// so one catch-all handler dispatches on the exact decoded path: unknown paths
// get 404, known paths with a method they do not take get 405 with Allow,
// HEAD is served wherever GET is (headers only). Bodies are gzipped when the
// route allows it and the client accepts it. Requests are counted by route and
// status code for hostwatch_http_requests_total.
//
// Request bodies: only routes added with RequestBody::kIgnored take one (POST /-/reload). A
// request that declares a body (Content-Length > 0 or chunked) anywhere else is answered (413 on
// a route and method that exist) and its connection closed without reading the body, so a client
// cannot hold a worker by trickling a body nobody wants. Every request, head and body, must arrive
// within request_timeout_ms (see HttpServerOptions).
//
// Host names (--web.allowed-hosts, see allowed_hosts.h): a request whose Host header is not in the
// list is answered 421 on every route, before authentication.
//
// Security (--web.config.file, see web_security.h): when a WebSecurity is given,
// the listeners speak TLS if its file has tls_server_config (each handshake takes
// the current certificates through a ClientHello callback), requests to paths that
// need auth without valid Basic credentials get 401 with WWW-Authenticate, and
// the configured headers are added to every response.
//
// Routes are added before Start() and never change afterwards; handlers are
// called concurrently from CivetWeb's worker threads.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "agent/web/allowed_hosts.h"
#include "collectors/core/metric_source.h"
#include "collectors/core/status.h"

struct mg_connection;
class CivetServer;

namespace hostwatch {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;  // raw query string, without '?'
  mg_connection* conn = nullptr;

  // Value of a request header, or "" when absent.
  std::string Header(const char* name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool allow_gzip = false;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Whether a route takes a request body.
enum class RequestBody {
  // A request that declares one is answered 413 and the connection closed, the body unread.
  kRefused,
  // The handler runs without it; afterwards CivetWeb discards at most 256 KiB of it within the
  // request's time and closes the connection when more remains (cmake/civetweb.cmake, patch 5).
  kIgnored,
};

class WebSecurity;

struct HttpServerOptions {
  // CivetWeb listening_ports entries, e.g. "127.0.0.1:9555", "[::1]:9555" or "+9555"
  // (without the "s" TLS suffix: it is added when security has TLS on).
  std::vector<std::string> listen;
  // Already listening sockets (socket activation): a listen entry with one's address uses it
  // (cmake/civetweb.cmake, patch 7).
  std::vector<int> inherited_listen_fds;
  // TLS, basic auth and headers; null = plain HTTP, no auth. Not owned; must outlive Stop().
  WebSecurity* security = nullptr;
  // Host header values answered; the empty list answers any (no --web.allowed-hosts).
  AllowedHosts allowed_hosts;
  int worker_threads = 8;
  // A whole request, head and body, must arrive within this time, counted from when the server
  // starts reading it; trickling bytes does not extend it (cmake/civetweb.cmake, patch 4). It
  // bounds how long a slow client (slowloris, slow body) holds a worker.
  int request_timeout_ms = 5000;
  int max_request_header_bytes = 16384;
  int keep_alive_timeout_ms = 500;
};

class HttpServer : public MetricSource {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  HttpServer(HttpServer&&) = delete;
  HttpServer& operator=(HttpServer&&) = delete;

  // methods: e.g. {"GET"} or {"GET", "POST"}; HEAD is implied by GET.
  void Route(std::string path, std::vector<std::string> methods, HttpHandler handler,
             RequestBody body = RequestBody::kRefused);

  // Binds and starts serving. Error names the address when binding fails.
  Status Start(const HttpServerOptions& options);
  // Stops accepting and waits for in-flight requests (CivetWeb needs up to ~2 s).
  void Stop();

  // Ports actually bound, in the order of options.listen (port 0 resolved).
  std::vector<int> ListeningPorts() const;

  // Adds hostwatch_http_requests_total{code,path}: every request answered so far
  // (401, 404, 405, 413, 421 and 503 included); unknown paths share path="other".
  void Collect(MetricSink& sink) const override;

 private:
  class Dispatcher;
  struct RouteEntry {
    std::vector<std::string> methods;
    HttpHandler handler;
    RequestBody body = RequestBody::kRefused;
  };
  using RouteMap = std::map<std::string, RouteEntry>;
  void Serve(mg_connection* conn);
  // The response of an authorized request to `route` (routes_.end() for an unknown path): 404,
  // 405, 413 for a body the route does not take, or the handler's. Sets *body_taken when the
  // handler of a route that takes a body ran.
  HttpResponse AnswerRoute(const HttpRequest& req, RouteMap::const_iterator route, bool declares_body,
                           bool* body_taken) const;
  void Count(const std::string& path, int status);

  RouteMap routes_;
  WebSecurity* security_ = nullptr;  // set by Start(), read-only afterwards
  AllowedHosts allowed_hosts_;       // set by Start(), read-only afterwards
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<CivetServer> server_;

  mutable std::mutex counts_mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> counts_;  // Guarded by counts_mu_.
};

}  // namespace hostwatch
