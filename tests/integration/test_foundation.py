"""Foundation behaviour of the real binary: endpoints, gzip, routing, collector
switches, deadlines, signals, exit codes."""
import concurrent.futures
import gzip
import signal
import time
import unittest

from hostwatch_testutil import (Agent, TempDir, check_metrics_with_promtool, hung_loadavg_agent, parse_samples,
                                require_binary, run_agent, sample)


class SharedAgentTest(unittest.TestCase):
    """Tests that can share one agent (CivetWeb needs ~2 s to stop)."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.agent = Agent()

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()

    def test_metrics_is_valid_exposition_with_core_families(self):
        status, headers, body = self.agent.request("/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        text = body.decode()
        check_metrics_with_promtool(self, text)
        for family in ["node_cpu_seconds_total", "node_load1", "node_scrape_collector_duration_seconds",
                       "node_scrape_collector_success", "hostwatch_build_info", "process_cpu_seconds_total",
                       "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
                       "process_max_fds", "process_start_time_seconds", "process_threads",
                       "hostwatch_config_last_reload_successful"]:
            self.assertIn("\n# TYPE %s " % family, "\n" + text, family)
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="cpu"}'), 1)
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="loadavg"}'), 1)

    def test_gzip_round_trips_when_accepted(self):
        status, headers, body = self.agent.request("/metrics", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-encoding"), "gzip")
        text = gzip.decompress(body).decode()
        self.assertIn("# TYPE node_load1 gauge", text)
        _, plain_headers, _ = self.agent.request("/metrics")
        self.assertNotIn("content-encoding", plain_headers)

    def test_unknown_paths_are_404_and_prefixes_do_not_match(self):
        for path in ["/nope", "/metrics/extra", "/metricsx", "/-/healthy/x", "/../etc/passwd"]:
            status, _, _ = self.agent.request(path)
            self.assertEqual(status, 404, path)

    def test_wrong_method_is_405_with_allow(self):
        status, headers, _ = self.agent.request("/metrics", method="POST", data=b"x")
        self.assertEqual(status, 405)
        self.assertIn("GET", headers.get("allow", ""))
        status, _, _ = self.agent.request("/-/healthy", method="DELETE")
        self.assertEqual(status, 405)

    def test_head_returns_headers_without_body(self):
        status, headers, body = self.agent.request("/metrics", method="HEAD")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")
        self.assertGreater(int(headers["content-length"]), 0)

    def test_health_ready_and_landing_page(self):
        self.assertEqual(self.agent.request("/-/healthy")[0], 200)
        self.assertEqual(self.agent.request("/-/ready")[0], 200)
        status, headers, body = self.agent.request("/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["content-type"])
        self.assertIn(b'href="/metrics"', body)

    def test_requests_are_counted_by_route_and_code(self):
        self.agent.request("/does-not-exist")
        text = self.agent.metrics()
        self.assertGreaterEqual(sample(text, 'hostwatch_http_requests_total{code="404",path="other"}'), 1)
        self.assertGreaterEqual(sample(text, 'hostwatch_http_requests_total{code="200",path="/metrics"}'), 1)

    def test_cpu_seconds_grow_between_scrapes(self):
        def total(text):
            return sum(v for k, v in parse_samples(text).items() if k.startswith("node_cpu_seconds_total{"))
        first = total(self.agent.metrics())
        deadline = time.time() + 5
        while time.time() < deadline:
            time.sleep(0.2)
            if total(self.agent.metrics()) > first:
                return
        self.fail("sum of node_cpu_seconds_total did not grow in 5 s")


class ProcessBehaviourTest(unittest.TestCase):
    def setUp(self):
        require_binary()

    def test_no_collector_flag_removes_its_families(self):
        with Agent("--no-collector.cpu") as agent:
            text = agent.metrics()
            self.assertNotIn("node_cpu_seconds_total", text)
            self.assertNotIn('collector="cpu"', text)
            self.assertIn("node_load1 ", text)

    def test_disable_defaults_then_enable_one(self):
        with Agent("--collector.disable-defaults", "--collector.loadavg", "--web.telemetry-path=/m") as agent:
            text = agent.metrics("/m")
            self.assertIn("node_load1 ", text)
            self.assertNotIn("node_cpu_seconds_total", text)
            self.assertEqual(agent.request("/metrics")[0], 404)

    def test_sigterm_exits_zero_without_being_killed(self):
        # The property is a clean exit on its own (code 0, not the SIGKILL agent.stop() sends after
        # the wait); how fast is printed, not judged on a shared machine.
        agent = Agent()
        agent.metrics()
        start = time.monotonic()
        agent.proc.send_signal(signal.SIGTERM)
        code = agent.wait_exit(10)
        print("exited %s after SIGTERM in %.3f s" % (code, time.monotonic() - start))
        agent.stop()
        self.assertEqual(code, 0, agent.log())

    def test_second_instance_on_same_port_exits_one_naming_the_address(self):
        with Agent() as first:
            address = "127.0.0.1:%d" % first.port
            res = run_agent("--web.listen-address=" + address)
            self.assertEqual(res.returncode, 1, res.stderr)
            lines = [l for l in res.stderr.splitlines() if "level=error" in l]
            self.assertEqual(len(lines), 1, res.stderr)
            self.assertIn(address, lines[0])

    def test_disable_exporter_metrics_leaves_host_metrics_and_build_info(self):
        with Agent("--web.disable-exporter-metrics") as agent:
            agent.metrics()  # counted by the HTTP server, which is what must not show
            text = agent.metrics()
            self.assertIn("node_load1 ", text)
            self.assertIn("hostwatch_build_info{", text)
            self.assertNotIn("process_cpu_seconds_total", text)
            self.assertNotIn("hostwatch_http_requests_total", text)

    def test_bad_flags_exit_two_with_reason(self):
        res = run_agent("--no-such-flag")
        self.assertEqual(res.returncode, 2)
        self.assertIn("no-such-flag", res.stderr)
        # A node_exporter flag hostwatch lacks names itself and the migration guide.
        res = run_agent("--runtime.gomaxprocs=2")
        self.assertEqual(res.returncode, 2)
        self.assertIn("--runtime.gomaxprocs is a node_exporter flag hostwatch does not have yet", res.stderr)
        self.assertIn("docs/migrating-from-node-exporter.md", res.stderr)
        res = run_agent("--log.level=loud")
        self.assertEqual(res.returncode, 2)
        self.assertIn("log.level", res.stderr)

    def test_version_flag(self):
        res = run_agent("--version")
        self.assertEqual(res.returncode, 0)
        self.assertIn("hostwatch version", res.stdout)

    def test_json_log_format(self):
        with Agent("--log.format=json") as agent:
            startup = [l for l in agent.log_lines if "hostwatch started" in l]
            self.assertEqual(len(startup), 1)
            self.assertTrue(startup[0].startswith("{") and startup[0].endswith("}"), startup[0])

    def test_hung_collector_does_not_block_scrape_and_excess_scrapes_get_503(self):
        # A FIFO without a writer blocks open() forever, like a dead NFS mount.
        tmp = TempDir()
        try:
            # The FIFO never opens, so a scrape that returns at all was not blocked by the collector.
            deadline_s = 4.0
            with hung_loadavg_agent(tmp.path, max_requests=1, deadline_s=deadline_s) as agent:
                with concurrent.futures.ThreadPoolExecutor(2) as pool:
                    slow = pool.submit(agent.request, "/metrics")
                    time.sleep(0.5)
                    status, _, _ = agent.request("/metrics")
                    self.assertEqual(status, 503)
                    status, _, body = slow.result(30)
                self.assertEqual(status, 200)
                self.assertEqual(sample(body.decode(), 'node_scrape_collector_success{collector="loadavg"}'), 0)
                # Later scrapes skip the still-hung collector instead of waiting out its deadline again.
                start = time.monotonic()
                text = agent.metrics()
                self.assertLess(time.monotonic() - start, deadline_s)
                self.assertEqual(sample(text, 'node_scrape_collector_success{collector="loadavg"}'), 0)
        finally:
            tmp.cleanup()

    def test_max_requests_zero_means_no_limit(self):
        # node_exporter's --web.max-requests=0 disables the limit. Each scrape holds its place
        # while the hung collector runs out its deadline, so all 12 (more than the default 10)
        # are in flight together; none may be refused.
        tmp = TempDir()
        try:
            with hung_loadavg_agent(tmp.path, max_requests=0) as agent:
                with concurrent.futures.ThreadPoolExecutor(12) as pool:
                    futures = [pool.submit(agent.request, "/metrics", timeout=60) for _ in range(12)]
                    statuses = [f.result(90)[0] for f in futures]
                self.assertEqual(statuses, [200] * 12)
                text = agent.metrics()
                self.assertNotIn('code="503"', text)
        finally:
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
