"""HTTP check targets that misbehave at the socket level, all probed by ONE real agent at once:
  silent        accepts TCP, reads the request, never answers
  endless_body  sends headers, then a body that never ends (no Content-Length, no close)
  endless_limit the same target with body_size_limit: must stop at the limit, not at the timeout
  trickle       sends its response one byte per second
  tls_silent    accepts TCP for https://, never says a word of TLS
  tls_partial   reads the ClientHello, sends the first half of its real handshake flight
                (certificate made at test time), then stalls mid-handshake
(The redirect loop case is test_http_checks.HttpChecksTest.test_redirect_loop_fails.)

For each: the run fails at its timeout (or at the body limit), with probe_success 0, the expected
hostwatch_check_failures_total reason and the time in the phase that hung. Meanwhile /metrics keeps
answering in under 1 s, a healthy check alongside keeps succeeding on schedule, and once the faulty
checks are removed by a reload the agent's open fds are back at their baseline."""
import json
import os
import signal
import shutil
import socket
import ssl
import subprocess
import threading
import time
import unittest

from hostwatch_testutil import Agent, FdBaseline, Reply, TargetServer, TempDir, parse_samples, require_binary

FAULT_TIMEOUT_S = 2.0
FAULT_INTERVAL = "3s"
HEALTHY_INTERVAL_S = 0.5
RELOAD_BOUND_S = 30
# A scrape that waited on a hung run would take at least the run's timeout: staying under it is the
# property (not a latency target; those are in bench/).
SCRAPE_LIMIT_S = FAULT_TIMEOUT_S
ENDLESS_LIMIT = 64 * 1024
PHASES = ["resolve", "connect", "tls", "processing", "transfer"]


class FaultServer:
    """A raw TCP server on 127.0.0.1:0; behave(conn, stop) runs per connection in its own thread.
    stop() closes the listener and every accepted connection, so no thread outlives the test."""

    def __init__(self, behave):
        self.behave = behave
        self.stop_event = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while not self.stop_event.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, conn):
        try:
            self.behave(conn, self.stop_event)
        except OSError:
            pass  # the agent gave up and closed: that is the point

    def stop(self):
        self.stop_event.set()
        self.sock.close()
        with self.lock:
            for c in self.conns:
                c.close()
        for t in self.threads:
            t.join(3)


def read_request_head(conn, stop):
    data = b""
    conn.settimeout(0.1)
    while b"\r\n\r\n" not in data and not stop.is_set():
        try:
            chunk = conn.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            return data
        data += chunk
    return data


def wait_closed(conn, stop):
    """Holds the connection until the peer closes it or the test stops."""
    conn.settimeout(0.1)
    while not stop.is_set():
        try:
            if not conn.recv(4096):
                return
        except socket.timeout:
            continue


def silent(conn, stop):
    read_request_head(conn, stop)
    wait_closed(conn, stop)


def endless_body(conn, stop):
    read_request_head(conn, stop)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    chunk = b"x" * 4096
    # Bounded: 4 KiB every 5 ms (<= 0.8 MB/s) until the agent hangs up or the test ends.
    while not stop.wait(0.005):
        conn.sendall(chunk)


def trickle(conn, stop):
    read_request_head(conn, stop)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
        conn.sendall(bytes([byte]))
        if stop.wait(1.0):
            return


def tls_partial(context):
    def behave(conn, stop):
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_side=True)
        conn.settimeout(0.1)
        flight = b""
        while not flight and not stop.is_set():
            try:
                data = conn.recv(16384)
            except socket.timeout:
                continue
            if not data:
                return
            incoming.write(data)
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            flight = outgoing.read()
        conn.sendall(flight[:len(flight) // 2])
        wait_closed(conn, stop)
    return behave


def make_cert(d):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, cwd=d, timeout=60)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "cert.pem"), os.path.join(d, "key.pem"))
    return ctx


def render(checks):
    # JSON is YAML: no third-party YAML writer needed.
    return json.dumps({"http_checks": {"defaults": {"jitter": "0s"}, "max_concurrency": 16,
                                       "checks": [dict({"name": n}, **c) for n, c in sorted(checks.items())]}})


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make the test certificate")
class CheckFaultsTest(unittest.TestCase):
    def setUp(self):
        require_binary()
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        tls_ctx = make_cert(self.tmp.path)
        self.healthy = TargetServer({"*": Reply(200, b"fine\n")})
        self.addCleanup(self.healthy.stop)
        servers = {"silent": silent, "endless_body": endless_body, "trickle": trickle, "tls_silent": silent,
                   "tls_partial": tls_partial(tls_ctx)}
        self.servers = {}
        for name, behave in servers.items():
            self.servers[name] = FaultServer(behave)
            self.addCleanup(self.servers[name].stop)
        url = lambda name, scheme="http": "%s://127.0.0.1:%d/" % (scheme, self.servers[name].port)  # noqa: E731
        fault = {"interval": FAULT_INTERVAL, "timeout": "%gs" % FAULT_TIMEOUT_S}
        tls = {"tls": {"insecure_skip_verify": True}}
        self.faults = {
            "silent": dict(fault, url=url("silent")),
            "endless_body": dict(fault, url=url("endless_body")),
            "endless_limit": dict(fault, url=url("endless_body"), body_size_limit=ENDLESS_LIMIT),
            "trickle": dict(fault, url=url("trickle")),
            "tls_silent": dict(fault, url=url("tls_silent", "https"), **tls),
            "tls_partial": dict(fault, url=url("tls_partial", "https"), **tls),
        }
        self.healthy_check = {"healthy": {"url": "http://127.0.0.1:%d/" % self.healthy.port,
                                          "interval": "%dms" % (HEALTHY_INTERVAL_S * 1000), "timeout": "400ms"}}
        self.config = self.tmp.write("hostwatch.yml", render(self.healthy_check))

    def reload(self, agent, checks, until):
        with open(self.config, "w") as f:
            f.write(render(checks))
        agent.proc.send_signal(signal.SIGHUP)
        # A faulty check's series appear after its first run: up to one interval plus one timeout after
        # the reload, more under a sanitizer on a busy machine. The bound only stops a broken agent.
        deadline = time.monotonic() + RELOAD_BOUND_S
        while time.monotonic() < deadline:
            text = agent.metrics()
            if until(text):
                return text
            time.sleep(0.05)
        self.fail("reload did not take effect within %d s" % RELOAD_BOUND_S)

    @staticmethod
    def value(samples, metric, check):
        """A series of the check whatever its other labels (target), or 0 before its first run."""
        prefix = '%s{check="%s",' % (metric, check)
        return next((v for k, v in samples.items() if k.startswith(prefix)), 0)

    def runs(self, samples, check):
        return self.value(samples, "probe_all_success_count", check)

    def test_faulty_targets_fail_in_time_while_scrapes_and_a_healthy_check_go_on(self):
        with Agent("--config.file=" + self.config) as agent:
            time.sleep(1.0)  # a couple of healthy runs: their sockets are part of a steady state
            agent.metrics()  # first scrape: the /proc and /sys descriptors collectors keep are open
            baseline = FdBaseline(agent.proc.pid)
            self.reload(agent, dict(self.healthy_check, **self.faults), lambda t: 'check="silent"' in t)

            # Observe until every faulty check has failed twice (first run within one interval of the reload).
            started = time.monotonic()
            first = parse_samples(agent.metrics())
            scrape_times, samples = [], first
            while time.monotonic() - started < RELOAD_BOUND_S:
                t0 = time.monotonic()
                text = agent.metrics()
                scrape_times.append(time.monotonic() - t0)
                samples = parse_samples(text)
                if all(self.runs(samples, c) >= 2 for c in self.faults):
                    break
                time.sleep(0.1)
            window = time.monotonic() - started
            self.assertTrue(all(self.runs(samples, c) >= 2 for c in self.faults),
                            {c: self.runs(samples, c) for c in self.faults})

            # Scrapes stayed fast while up to six runs hung.
            print("scrapes: %d, slowest %.3f s over %.1f s" % (len(scrape_times), max(scrape_times), window))
            self.assertLess(max(scrape_times), SCRAPE_LIMIT_S)

            # The healthy check kept its schedule and never failed.
            healthy_runs = self.runs(samples, "healthy") - self.runs(first, "healthy")
            healthy_ok = (self.value(samples, "probe_all_success_sum", "healthy") -
                      self.value(first, "probe_all_success_sum", "healthy"))
            print("healthy: %d runs, %d successes in %.1f s" % (healthy_runs, healthy_ok, window))
            self.assertEqual(healthy_ok, healthy_runs)
            self.assertGreaterEqual(healthy_runs, int(window / HEALTHY_INTERVAL_S * 0.7))

            expected = {"silent": ("timeout", "processing"), "endless_body": ("timeout", "transfer"),
                        "endless_limit": ("body_too_large", "transfer"), "trickle": ("timeout", "transfer"),
                        "tls_silent": ("timeout", "tls"), "tls_partial": ("timeout", "tls")}
            for check, (reason, phase) in sorted(expected.items()):
                with self.subTest(check=check):
                    self.assert_fault(samples, check, reason, phase)

            # Remove the faulty checks (their runs are aborted): fds back to the baseline.
            self.reload(agent, self.healthy_check, lambda t: 'check="silent"' not in t)
            after, limit = baseline.settled()
            print("open fds: baseline %d, after %d (bound %d: one per worker started)" % (baseline.fds, after, limit))
            self.assertLessEqual(after, limit)

    def assert_fault(self, samples, check, reason, phase):
        def get(metric, extra=""):
            key = '%s{check="%s"%s,target="%s"}' % (metric, check, extra, self.faults[check]["url"])
            self.assertIn(key, samples)
            return samples[key]

        self.assertEqual(get("probe_success"), 0)
        failures = {k.split('reason="')[1].rstrip('"}'): v for k, v in samples.items()
                    if k.startswith('hostwatch_check_failures_total{check="%s",' % check) and v > 0}
        self.assertEqual(list(failures), [reason])
        self.assertEqual(failures[reason], self.runs(samples, check))
        duration = get("probe_duration_seconds")
        phases = {p: get("probe_http_duration_seconds", ',phase="%s"' % p) for p in PHASES}
        print("%-13s reason=%-14s duration=%.3f s phases=%s" %
              (check, reason, duration, " ".join("%s=%.3f" % (p, v) for p, v in phases.items() if v >= 0.001)))
        if reason == "timeout":
            self.assertGreaterEqual(duration, FAULT_TIMEOUT_S - 0.05)
            # Ended by its own timeout, not by the next run or the agent's stop (a loaded machine may
            # add scheduling delay, far less than another timeout).
            self.assertLess(duration, 2 * FAULT_TIMEOUT_S)
        else:
            self.assertLess(duration, FAULT_TIMEOUT_S)
        # The phase that hung holds (nearly) all of the time.
        self.assertGreater(phases[phase], 0.5 * duration, phases)


if __name__ == "__main__":
    unittest.main()
