"""Ad-hoc /probe?module=<check>&target=<url> end to end: the real binary, two real HTTP servers this
test starts on 127.0.0.1 (one allowed by port, one not), and the allow-list enforced on the initial
URL, on every redirect hop and on the address actually connected to (a host name that resolves
outside the allowed networks). Also: off by default, the scrape-timeout header, the concurrency
bound (503), nothing leaking onto /metrics, and config errors with file:line:col."""
import os
import signal
import threading
import time
import unittest
import urllib.parse

from hostwatch_testutil import Agent, FdBaseline, Reply, TargetServer, TempDir, parse_samples, run_agent
from test_http_checks import BLACKBOX_HTTP_SERIES

SLOW_SECONDS = 3.0
VERY_SLOW_SECONDS = 8.0  # well above the agent's own shutdown time (about 2 s, CivetWeb's stop)


def make_target(denied_port=0):
    """A target recording every path it is asked for; /to-denied redirects to denied_port."""
    return TargetServer({
        "/ok": Reply(200, b"hello\n"),
        "/to-denied": Reply(302, headers=[("Location", "http://127.0.0.1:%d/ok" % denied_port)]),
        "/to-self": Reply(302, headers=[("Location", "/ok")]),
        "/slow": Reply(200, b"slow\n", delay=SLOW_SECONDS),
        "/veryslow": Reply(200, b"very slow\n", delay=VERY_SLOW_SECONDS),
    }, record=True, not_found=Reply(404))


def probe_path(module, target, debug=False):
    q = {"module": module, "target": target}
    if debug:
        q["debug"] = "true"
    return "/probe?" + urllib.parse.urlencode(q)


class ProbeTargetsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.denied = make_target()
        cls.allowed = make_target(denied_port=cls.denied.port)
        cls.tmp = TempDir()
        cls.config = cls.tmp.write("hostwatch.yml", """
http_checks:
  probe_targets:
    enabled: true
    # Only the allowed server's port on loopback; host names are judged by the address they connect to.
    allowed_targets: ["127.0.0.1:%d", "[::1]:%d"]
    max_concurrent: 1
  checks:
    - name: web
      url: http://127.0.0.1:%d/ok
      interval: 60s
      timeout: 5s
""" % (cls.allowed.port, cls.allowed.port, cls.allowed.port))
        cls.agent = Agent("--config.file=" + cls.config, "--collector.disable-defaults")

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.allowed.stop()
        cls.denied.stop()
        cls.tmp.cleanup()

    def url(self, server, path):
        return "http://127.0.0.1:%d%s" % (server.port, path)

    def probe(self, target, debug=False, headers=None, timeout=10):
        status, hdrs, body = self.agent.request(probe_path("web", target, debug), headers=headers, timeout=timeout)
        return status, body.decode("utf-8", "replace")

    def test_allowed_target_is_probed_and_shaped_like_blackbox(self):
        status, body = self.probe(self.url(self.allowed, "/ok?adhoc=1"))
        self.assertEqual(status, 200, body)
        samples = parse_samples(body)
        self.assertEqual(samples["probe_success"], 1, body)
        self.assertEqual(samples["probe_http_status_code"], 200)
        self.assertEqual(samples["probe_timeout_seconds"], 5)  # the module's timeout, no header
        self.assertEqual(sorted(samples), BLACKBOX_HTTP_SERIES)
        self.assertTrue(self.allowed.hits("/ok?adhoc=1"))
        # Ad-hoc results never become /metrics series (unbounded cardinality).
        metrics = self.agent.metrics()
        self.assertNotIn("adhoc", metrics)
        self.assertNotIn("target_not_allowed", metrics)

    def test_probes_in_a_row_reuse_idle_curl_handles_without_growing_descriptors(self):
        # Blocking probes give their libcurl multi handle back for the next one (at most 4 kept,
        # 2 descriptors each); nothing else carries over, so every probe reaches the target.
        pid = self.agent.proc.pid
        self.assertEqual(self.probe(self.url(self.allowed, "/ok?warm"))[0], 200)
        before = FdBaseline(pid)
        for i in range(30):
            status, body = self.probe(self.url(self.allowed, "/ok?in-a-row=%d" % i))
            self.assertEqual(status, 200, body)
            self.assertEqual(parse_samples(body)["probe_success"], 1, body)
        self.assertEqual(len(self.allowed.hits("/ok?in-a-row=")), 30)
        after, limit = before.settled()
        self.assertLessEqual(after, limit)

    def test_target_without_scheme_gets_http(self):
        status, body = self.probe("127.0.0.1:%d/ok" % self.allowed.port)
        self.assertEqual(status, 200, body)
        self.assertEqual(parse_samples(body)["probe_success"], 1)

    def test_disallowed_target_is_refused_with_reason_before_any_request(self):
        status, body = self.probe(self.url(self.denied, "/ok?direct"))
        self.assertEqual(status, 403, body)
        self.assertIn("127.0.0.1:%d is not allowed by http_checks.probe_targets.allowed_targets" % self.denied.port,
                      body)
        self.assertEqual(self.denied.hits("/ok?direct"), [])

    def test_redirect_to_disallowed_host_fails(self):
        before = len(self.denied.hits())
        status, body = self.probe(self.url(self.allowed, "/to-denied"))
        self.assertEqual(status, 200, body)
        samples = parse_samples(body)
        self.assertEqual(samples["probe_success"], 0, body)
        status, body = self.probe(self.url(self.allowed, "/to-denied"), debug=True)
        self.assertEqual(status, 200, body)
        self.assertIn("reason=target_not_allowed", body)
        self.assertIn("redirect refused: target 127.0.0.1:%d is not allowed" % self.denied.port, body)
        self.assertEqual(len(self.denied.hits()), before, "the refused hop must not reach the server")

    def test_redirect_within_allowed_host_is_followed(self):
        status, body = self.probe(self.url(self.allowed, "/to-self"))
        samples = parse_samples(body)
        self.assertEqual(samples["probe_success"], 1, body)
        self.assertEqual(samples["probe_http_redirects"], 1)

    def test_host_name_is_judged_by_the_address_it_connects_to(self):
        # "localhost" matches no name entry; it resolves to 127.0.0.1, allowed on the allowed port only.
        status, body = self.probe("http://localhost:%d/ok?byname" % self.allowed.port)
        self.assertEqual(status, 200, body)
        self.assertEqual(parse_samples(body)["probe_success"], 1, body)
        before = len(self.denied.hits())
        status, body = self.probe("http://localhost:%d/ok?byname" % self.denied.port, debug=True)
        self.assertEqual(status, 200, body)
        self.assertIn("reason=target_not_allowed", body)
        self.assertIn("address not in http_checks.probe_targets.allowed_targets", body)
        self.assertIn("probe_success 0", body)
        self.assertEqual(len(self.denied.hits()), before, "the refused connection must not be made")

    def test_scrape_timeout_header_lowers_the_timeout(self):
        start = time.monotonic()
        status, body = self.probe(self.url(self.allowed, "/slow?header"),
                                  headers={"X-Prometheus-Scrape-Timeout-Seconds": "1.5"})
        elapsed = time.monotonic() - start
        self.assertEqual(status, 200, body)
        samples = parse_samples(body)
        self.assertEqual(samples["probe_success"], 0, body)
        self.assertEqual(samples["probe_timeout_seconds"], 1)  # 1.5 - the default 0.5 s offset
        self.assertLess(elapsed, 2.5, "the probe ran past its 1 s timeout")
        self.assertGreaterEqual(elapsed, 0.9)

    def test_bad_timeout_header_is_400(self):
        status, body = self.probe(self.url(self.allowed, "/ok"), headers={"X-Prometheus-Scrape-Timeout-Seconds": "x"})
        self.assertEqual(status, 400, body)

    def test_concurrency_bound_gives_503(self):
        result = {}

        def slow_probe():
            result["slow"] = self.probe(self.url(self.allowed, "/slow?first"))

        t = threading.Thread(target=slow_probe)
        t.start()
        try:
            deadline = time.monotonic() + 5
            while not self.allowed.hits("/slow?first") and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertTrue(self.allowed.hits("/slow?first"), "the first probe never reached the server")
            status, body = self.probe(self.url(self.allowed, "/ok?second"))
            self.assertEqual(status, 503, body)
            self.assertIn("max_concurrent = 1", body)
            # The scheduled check's cached result is not an ad-hoc probe and is still served.
            status, _, _ = self.agent.request(probe_path("web", self.url(self.allowed, "/ok")))
            self.assertIn(status, (200, 503))  # 503 only if the scheduled run has not completed yet
        finally:
            t.join(15)
        status, body = result["slow"]
        self.assertEqual(status, 200, body)
        self.assertEqual(parse_samples(body)["probe_success"], 1, body)


class ProbeTargetsOffTest(unittest.TestCase):
    def test_off_by_default_refuses_foreign_targets(self):
        server = make_target()
        tmp = TempDir()
        try:
            config = tmp.write("hostwatch.yml", """
http_checks:
  checks:
    - name: web
      url: http://127.0.0.1:%d/ok
      interval: 60s
      timeout: 5s
""" % server.port)
            with Agent("--config.file=" + config, "--collector.disable-defaults") as agent:
                status, _, body = agent.request(probe_path("web", "http://127.0.0.1:%d/ok?foreign" % server.port))
                self.assertEqual(status, 400, body)
                self.assertIn(b"Probing arbitrary targets is not enabled", body)
                self.assertIn(b"http_checks.probe_targets", body)
                self.assertEqual(server.hits("/ok?foreign"), [])
        finally:
            server.stop()
            tmp.cleanup()

    def test_config_errors_have_positions(self):
        tmp = TempDir()
        try:
            config = tmp.write("hostwatch.yml", """http_checks:
  probe_targets:
    enabled: true
    allowed_targets: ["10.0.0.0/33"]
""")
            res = run_agent("--config.file=" + config, "--config.check")
            self.assertEqual(res.returncode, 2, res.stdout + res.stderr)
            out = res.stdout + res.stderr
            self.assertIn("%s:4:23" % config, out)
            self.assertIn("http_checks.probe_targets.allowed_targets[0]", out)
            config = tmp.write("empty.yml", "http_checks:\n  probe_targets: {enabled: true, allowed_targets: []}\n")
            res = run_agent("--config.file=" + config, "--config.check")
            self.assertEqual(res.returncode, 2, res.stdout + res.stderr)
            self.assertIn("must list at least one", res.stdout + res.stderr)
        finally:
            tmp.cleanup()


class ProbeTargetsShutdownTest(unittest.TestCase):
    @staticmethod
    def _quiet_request(agent, path, timeout):
        try:
            agent.request(path, timeout=timeout)
        except OSError:
            pass

    def test_sigterm_does_not_wait_for_an_ad_hoc_probe(self):
        server = make_target()
        tmp = TempDir()
        try:
            config = tmp.write("hostwatch.yml", """
http_checks:
  probe_targets: {enabled: true, allowed_targets: ["127.0.0.1:%d"]}
  checks: [{name: web, url: "http://127.0.0.1:%d/ok", interval: 60s, timeout: 10s}]
""" % (server.port, server.port))
            agent = Agent("--config.file=" + config, "--collector.disable-defaults")
            try:
                # The in-flight request's answer is lost in the shutdown; only the exit time matters.
                path = probe_path("web", "http://127.0.0.1:%d/veryslow?shutdown" % server.port)
                t = threading.Thread(target=self._quiet_request, args=(agent, path, 15), daemon=True)
                t.start()
                deadline = time.monotonic() + 5
                while not server.hits("/veryslow?shutdown") and time.monotonic() < deadline:
                    time.sleep(0.02)
                self.assertTrue(server.hits("/veryslow?shutdown"))
                start = time.monotonic()
                agent.proc.send_signal(signal.SIGTERM)
                code = agent.wait_exit(10)
                elapsed = time.monotonic() - start
                self.assertEqual(code, 0, agent.log())
                # Without the abort the probe would hold its worker, and the exit, for VERY_SLOW_SECONDS.
                self.assertLess(elapsed, VERY_SLOW_SECONDS - 3, agent.log())
            finally:
                agent.stop()
        finally:
            server.stop()
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
