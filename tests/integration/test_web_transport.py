"""The HTTP transport against the real binary on loopback (issue 16): request bodies (only
POST/PUT /-/reload takes one, and ignores it), the one time bound on reading a whole request,
commas in --web.listen-address, and the --web.allowed-hosts list (DNS rebinding).

No test measures speed: each waits for what the server's own bound guarantees, with room to spare
(WAIT_S), and asserts what happened."""
import http.client
import os
import socket
import ssl
import subprocess
import threading
import time
import unittest

from hostwatch_testutil import Agent, TempDir, run_agent, sample
from slow_client import Trickler

LIGHT_COLLECTORS = ("--collector.disable-defaults", "--collector.loadavg")
# HttpServerOptions::request_timeout_ms: a whole request, head and body, must arrive within it.
REQUEST_BOUND_S = 5.0
# How long a test waits for something that bound guarantees: three bounds, for a busy machine.
WAIT_S = 3 * REQUEST_BOUND_S
HUGE_BODY_HEAD = b"Host: localhost\r\nContent-Length: 100000000\r\n\r\n"


def read_until_closed(sock, timeout):
    """Everything the server sends until it closes the connection; None if it is still open after
    timeout seconds. A reset counts as closed (the server closed with our bytes unread)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data
    except socket.timeout:
        return None


def status_of(response):
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.") else None


class SlowBodyTest(unittest.TestCase):
    """Issue 16, item 1: 20 connections that declare a 100 MB body and send a byte a second held all
    16 workers of --web.max-connections=16 (CivetWeb read the body after the handler answered, and
    waited afresh for every byte), and scrapes timed out."""

    def run_trickle(self, head, status):
        with Agent("--web.max-connections=16", *LIGHT_COLLECTORS) as agent:
            with Trickler(agent.port, head, 20) as trickler:
                # A scrape on a fresh connection is answered while the clients keep trickling: at the
                # latest when the server cuts them at its request bound.
                code, _, body = agent.request("/metrics", timeout=WAIT_S)
                self.assertEqual(code, 200)
                self.assertEqual(sample(body.decode(), 'node_scrape_collector_success{collector="loadavg"}'), 1)
                closed = trickler.wait_all_closed(WAIT_S)
                self.assertEqual(closed, 20, "the server left %d trickling connections open" % (20 - closed))
                self.assertEqual([status_of(r) for r in trickler.responses], [status] * 20)
            self.assertIsNone(agent.proc.poll(), agent.log())

    def test_trickled_bodies_to_a_route_without_one_do_not_hold_the_workers(self):
        # Answered (405: /metrics takes no POST) and closed without reading the body.
        self.run_trickle(b"POST /metrics HTTP/1.1\r\n" + HUGE_BODY_HEAD, 405)

    def test_trickled_reload_bodies_are_cut_at_the_request_bound(self):
        # /-/reload takes a body and ignores it (403 here: no --web.enable-lifecycle); afterwards
        # the server reads the body only until the request's time is up, then closes.
        self.run_trickle(b"POST /-/reload HTTP/1.1\r\n" + HUGE_BODY_HEAD, 403)


class RequestBodyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        config = cls.tmp.write("hostwatch.yml", "{}\n")
        cls.agent = Agent("--web.enable-lifecycle", "--config.file=" + config, *LIGHT_COLLECTORS)

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.tmp.cleanup()

    def test_a_body_where_none_is_taken_is_answered_413_and_closed_unread(self):
        for head in [b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n",
                     b"GET /-/healthy HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
                     b"HEAD /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n"]:
            with socket.create_connection(("127.0.0.1", self.agent.port), timeout=5) as s:
                s.sendall(head + b"0123456789")  # a small part of the body; the rest never comes
                response = read_until_closed(s, WAIT_S)
            self.assertIsNotNone(response, "the server kept the connection open waiting for the body: %r" % head)
            self.assertEqual(status_of(response), 413, response[:200])
            self.assertIn(b"\r\nConnection: close\r\n", response)

    def test_a_body_on_other_answers_closes_the_connection_too(self):
        # 404, 405: answered as usual, and closed without reading the body, though it keeps coming.
        for head, status in [(b"POST /nowhere HTTP/1.1\r\n", 404), (b"POST /metrics HTTP/1.1\r\n", 405)]:
            with Trickler(self.agent.port, head + HUGE_BODY_HEAD, 1) as trickler:
                self.assertEqual(trickler.wait_all_closed(WAIT_S), 1, "still reading the body of %r" % head)
            self.assertEqual(status_of(trickler.responses[0]), status, trickler.responses[0][:200])

    def test_reload_with_a_small_body_works_and_keeps_the_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.agent.port, timeout=WAIT_S)
        try:
            for body, chunked in [(b"ignored=1", False), (iter([b"ignored", b"=2"]), True)]:
                conn.request("POST", "/-/reload", body=body, encode_chunked=chunked)
                resp = conn.getresponse()
                self.assertEqual((resp.status, resp.read()), (200, b"OK\n"))
                self.assertNotEqual(resp.getheader("Connection"), "close")
            # The same connection still serves: the small bodies were read to their end.
            conn.request("GET", "/-/healthy")
            self.assertEqual(conn.getresponse().status, 200)
        finally:
            conn.close()

    def test_reload_reads_at_most_a_bounded_body_then_closes(self):
        # 64 MiB, sent as fast as loopback takes it: the server reads at most 256 KiB of it after
        # answering, then closes, so the sender cannot deliver it all.
        body_size = 64 << 20
        s = socket.create_connection(("127.0.0.1", self.agent.port), timeout=WAIT_S)
        sent = [0]

        def send_body():
            chunk = b"x" * 65536
            try:
                s.sendall(b"POST /-/reload HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % body_size)
                while sent[0] < body_size:
                    sent[0] += s.send(chunk)
            except OSError:
                pass

        sender = threading.Thread(target=send_body)
        sender.start()
        try:
            response = read_until_closed(s, WAIT_S)
            sender.join(WAIT_S)
            self.assertFalse(sender.is_alive(), "the sender is still blocked: the server neither read nor closed")
        finally:
            try:
                s.shutdown(socket.SHUT_RDWR)  # unblocks the sender if the server never closed
            except OSError:
                pass  # already reset by the server
            s.close()
            sender.join()
        self.assertIsNotNone(response, "the server kept reading the 64 MiB body")
        self.assertEqual(status_of(response), 200, response[:200])
        self.assertLess(sent[0], body_size, "the server read the whole 64 MiB body")


class TlsBodyTest(unittest.TestCase):
    """The same bounds over TLS, where CivetWeb reads through OpenSSL (SSL_pending) instead of recv."""

    def setUp(self):
        self.tmp = TempDir()
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", "tls.key", "-out", "tls.crt", "-days", "2", "-subj", "/CN=localhost"],
                       cwd=self.tmp.path, check=True, capture_output=True, timeout=30)
        web = self.tmp.write("web.yml", "tls_server_config: {cert_file: tls.crt, key_file: tls.key}\n")
        self.agent = Agent("--web.config.file=" + web, *LIGHT_COLLECTORS)
        self.ctx = ssl.create_default_context(cafile=os.path.join(self.tmp.path, "tls.crt"))

    def tearDown(self):
        self.agent.stop()
        self.tmp.cleanup()

    def trickle(self, head):
        """Sends head, then a byte a second; what the server sent before it closed, None if it did not."""
        raw = socket.create_connection(("127.0.0.1", self.agent.port), timeout=WAIT_S)
        with self.ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(head)
            s.settimeout(1)
            data, deadline = b"", time.monotonic() + WAIT_S
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                    if not chunk:
                        return data
                    data += chunk
                except socket.timeout:
                    pass
                except OSError:  # a reset, or OpenSSL's view of one
                    return data
                try:
                    s.sendall(b"x")
                except OSError:
                    return data
        return None

    def test_trickled_bodies_are_refused_or_cut_over_tls(self):
        for line, status in [(b"GET /metrics HTTP/1.1\r\n", 413), (b"POST /-/reload HTTP/1.1\r\n", 403)]:
            response = self.trickle(line + HUGE_BODY_HEAD)
            self.assertIsNotNone(response, "the server still reads the body of %r" % line)
            self.assertEqual(status_of(response), status, response[:200])


class ListenAddressCommaTest(unittest.TestCase):
    def test_a_comma_is_refused_with_the_repeatable_flag_named(self):
        # CivetWeb would take "a,b" as two listeners, the second one without TLS.
        res = run_agent("--web.listen-address=127.0.0.1,127.0.0.1:0", "--config.check")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("has a comma: give one address per --web.listen-address", res.stderr)


class AllowedHostsTest(unittest.TestCase):
    """Issue 16, item 12: DNS rebinding. A page whose name now resolves to 127.0.0.1 sends its own
    name as Host; with --web.allowed-hosts the agent answers such requests 421 on every route."""

    ROUTES = ["/metrics", "/", "/-/healthy", "/-/ready", "/probe?module=x", "/nowhere"]

    def request(self, port, path, *hosts):
        """GET with exactly the given Host headers (none, one, or several)."""
        head = b"GET " + path.encode() + b" HTTP/1.1\r\nConnection: close\r\n"
        for host in hosts:
            head += b"Host: " + host.encode() + b"\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as s:
            s.sendall(head + b"\r\n")
            return status_of(read_until_closed(s, WAIT_S) or b"")

    def test_only_listed_hosts_are_answered(self):
        with Agent("--web.allowed-hosts=localhost", "--web.allowed-hosts=127.0.0.1", "--web.allowed-hosts=::1",
                   *LIGHT_COLLECTORS) as agent:
            port = agent.port
            for host in ["localhost:%d" % port, "LocalHost", "127.0.0.1:%d" % port, "[::1]:%d" % port]:
                self.assertEqual(self.request(port, "/metrics", host), 200, host)
            for path in self.ROUTES:
                for host in ["attacker.example:%d" % port, "attacker.example", "localhost.attacker.example", ""]:
                    self.assertEqual(self.request(port, path, host), 421, (path, host))
                self.assertEqual(self.request(port, path), 421, path)
                self.assertEqual(self.request(port, path, "localhost", "attacker.example"), 421, path)
            text = agent.metrics()  # urllib sends Host: 127.0.0.1:<port>
            self.assertGreaterEqual(sample(text, 'hostwatch_http_requests_total{code="421",path="/metrics"}'), 6)

    def test_without_the_flag_any_host_is_answered(self):
        with Agent(*LIGHT_COLLECTORS) as agent:
            self.assertEqual(self.request(agent.port, "/metrics", "attacker.example"), 200)

    def test_bad_entries_are_refused_at_start(self):
        res = run_agent("--web.allowed-hosts=localhost:9555", "--config.check")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("--web.allowed-hosts: allowed host \"localhost:9555\" has a port", res.stderr)


if __name__ == "__main__":
    unittest.main()
