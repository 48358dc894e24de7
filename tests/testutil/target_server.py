"""One HTTP(S) target server for the tests and bench/ (standard library only).

    server = TargetServer({"/ok": Reply(200, b"hello\\n"), "/slow": Reply(200, b"late", delay=2),
                           "/redirect/*": lambda req: Reply(302, headers=[("Location", "/ok")]),
                           "POST *": lambda req: Reply(201 if req.body == b"x" else 400)},
                          cert=..., key=..., client_ca=..., record=True)
    server.port, server.url("/ok"), server.hits("/ok"), server.stop()   (also a context manager)

A threaded server on 127.0.0.1 (port 0 unless given) serving in a background thread. Routes map a
request to a Reply (status, body, headers, delay before answering) or to a function of the request
(the handler: .path, .headers, .command, .body, .server) that returns one:
  - a key is a path, optionally after a method ("POST /form"); a key without a method is for GET;
  - the full path with its query is looked up first, then the path without the query, then keys
    ending in "*" as prefixes (the longest first; "*" alone answers every path);
  - a method no key names is answered 501, as http.server does, and an unknown path with
    not_found (404 "not found" by default).
Every answer is complete HTTP/1.1 with Content-Length, and Connection: close unless keep_alive.
TLS with cert and key (client_ca: a client certificate signed by it is required) or ssl_context.
record=True keeps every request's path in arrival order (hits()).
serve_forever() serves in the calling thread instead (bench/compare.py's target process).
"""
import http.server
import ssl
import threading
import time
import urllib.parse


class Reply:
    def __init__(self, status=200, body=b"", headers=(), delay=0.0):
        self.status, self.body, self.headers, self.delay = status, body, list(headers), delay


NOT_FOUND = Reply(404, b"not found")


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """No request logging, and _send writes a complete HTTP/1.1 response (Content-Length,
    Connection: close unless the server keeps connections alive; no body for HEAD)."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if not getattr(self.server, "keep_alive", False):
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout under test): its side counts it


class _RouteHandler(QuietHandler):
    def _route(self):
        routes = self.server.routes
        method = self.command
        path_only = urllib.parse.urlsplit(self.path).path
        keys = [self.path, path_only]
        for key in keys:
            for k in ((method + " " + key), key if method == "GET" else None):
                if k is not None and k in routes:
                    return routes[k]
        for prefix in self.server.prefixes:
            m, _, p = prefix.rpartition(" ")
            if (m or "GET") == method and self.path.startswith(p[:-1]):
                return routes[prefix]
        if method != "GET" and not any(k.startswith(method + " ") for k in routes):
            return None
        return self.server.not_found

    def _dispatch(self):
        route = self._route()
        if route is None:
            self.send_error(501, "Unsupported method (%r)" % self.command)
            return
        if self.server.record:
            with self.server.lock:
                self.server.seen.append(self.path)
        length = int(self.headers.get("Content-Length", "0") or "0")
        self.body = self.rfile.read(length) if length else b""
        reply = route(self) if callable(route) else route
        if reply.delay:
            time.sleep(reply.delay)
        self._send(reply.status, reply.body, reply.headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class TargetServer:
    """See the module's text."""

    def __init__(self, routes=None, port=0, cert=None, key=None, client_ca=None, ssl_context=None, record=False,
                 not_found=NOT_FOUND, keep_alive=False, backlog=None, start=True):
        server_class = _Server
        if backlog:
            server_class = type("_Server", (_Server,), {"request_queue_size": backlog})
        self.httpd = server_class(("127.0.0.1", port), _RouteHandler)
        self.httpd.routes = dict(routes or {})
        self.httpd.prefixes = sorted((k for k in self.httpd.routes if k.endswith("*")),
                                     key=lambda k: -len(k.rpartition(" ")[2]))
        self.httpd.not_found = not_found
        self.httpd.keep_alive = keep_alive
        self.httpd.record = record
        self.httpd.seen = []
        self.httpd.lock = threading.Lock()
        if cert and ssl_context is None:
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ssl_context.load_cert_chain(cert, key)
            if client_ca:  # mutual TLS: a client certificate signed by client_ca is required
                ssl_context.verify_mode = ssl.CERT_REQUIRED
                ssl_context.load_verify_locations(client_ca)
        self.scheme = "https" if ssl_context else "http"
        if ssl_context:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = None
        if start:
            self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                           daemon=True)
            self.thread.start()

    def url(self, path="/"):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)

    def hits(self, path_prefix=""):
        """The paths requested so far that start with path_prefix (record=True)."""
        with self.httpd.lock:
            return [h for h in self.httpd.seen if h.startswith(path_prefix)]

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        if self.thread is not None:
            self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
