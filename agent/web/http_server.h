// HttpServer: our own CivetWeb server with exact-path routing.
//
// CivetWeb matches handler URIs by prefix and answers unknown methods itself,
// so one catch-all handler dispatches on the exact decoded path: unknown paths
// get 404, known paths with a method they do not take get 405 with Allow,
// HEAD is served wherever GET is (headers only). Bodies are gzipped when the
// route allows it and the client accepts it. Requests are counted by route and
// status code for hostwatch_http_requests_total.
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

class WebSecurity;

struct HttpServerOptions {
  // CivetWeb listening_ports entries, e.g. "127.0.0.1:9555", "[::1]:9555" or "+9555"
  // (without the "s" TLS suffix: it is added when security has TLS on).
  std::vector<std::string> listen;
  // TLS, basic auth and headers; null = plain HTTP, no auth. Not owned; must outlive Stop().
  WebSecurity* security = nullptr;
  int worker_threads = 8;
  // A request head must arrive whole within this time (CivetWeb counts from the first byte
  // wait, not per read), which bounds how long a slowloris client holds a worker.
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
  void Route(std::string path, std::vector<std::string> methods, HttpHandler handler);

  // Binds and starts serving. Error names the address when binding fails.
  Status Start(const HttpServerOptions& options);
  // Stops accepting and waits for in-flight requests (CivetWeb needs up to ~2 s).
  void Stop();

  // Ports actually bound, in the order of options.listen (port 0 resolved).
  std::vector<int> ListeningPorts() const;

  // Adds hostwatch_http_requests_total{code,path}: every request answered so far
  // (401, 404, 405 and 503 included); unknown paths share path="other".
  void Collect(MetricSink& sink) const override;

 private:
  class Dispatcher;
  struct RouteEntry {
    std::vector<std::string> methods;
    HttpHandler handler;
  };
  void Serve(mg_connection* conn);
  void Count(const std::string& path, int status);

  std::map<std::string, RouteEntry> routes_;
  WebSecurity* security_ = nullptr;  // set by Start(), read-only afterwards
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<CivetServer> server_;

  mutable std::mutex counts_mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> counts_;  // Guarded by counts_mu_.
};

}  // namespace hostwatch
