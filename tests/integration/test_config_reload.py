"""Configuration file, --config.check, SIGHUP and /-/reload with the real binary."""
import os
import signal
import threading
import time
import unittest

from hostwatch_testutil import Agent, TempDir, require_binary, run_agent, sample, wait_for

GOOD_NO_CPU = "collectors:\n  cpu:\n    enabled: false\n"
GOOD_WITH_CPU = "collectors:\n  cpu:\n    enabled: true\n    guest: ${HW_TEST_GUEST:-false}\n"
BAD = "collectors:\n  cpu:\n    guest: maybe\n  nosuch: {}\nextra: 1\n"


class ConfigCheckTest(unittest.TestCase):
    def setUp(self):
        require_binary()
        self.tmp = TempDir()

    def tearDown(self):
        self.tmp.cleanup()

    def test_valid_file_exits_zero(self):
        path = self.tmp.write("ok.yml", GOOD_WITH_CPU)
        res = run_agent("--config.check", "--config.file=" + path)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("configuration OK", res.stdout)

    def test_invalid_file_exits_two_listing_every_problem(self):
        path = self.tmp.write("bad.yml", BAD)
        res = run_agent("--config.check", "--config.file=" + path)
        self.assertEqual(res.returncode, 2)
        lines = res.stderr.strip().splitlines()
        self.assertEqual(lines, [
            path + ':3:12: collectors.cpu.guest: must be true or false',
            path + ":4:3: collectors.nosuch: unknown collector",
            path + ":5:1: extra: unknown key (known: collectors, http_checks, modules, modules_file, checks, x509_files, remote_write)",
        ])

    def test_missing_named_file_is_an_error(self):
        res = run_agent("--config.check", "--config.file=" + os.path.join(self.tmp.path, "nope.yml"))
        self.assertEqual(res.returncode, 2)
        self.assertIn("cannot read configuration file", res.stderr)

    def test_bad_file_at_start_exits_two_with_file_and_line(self):
        path = self.tmp.write("bad.yml", BAD)
        res = run_agent("--config.file=" + path, "--web.listen-address=127.0.0.1:0")
        self.assertEqual(res.returncode, 2)
        self.assertIn(path + ":3:12", res.stderr)

    def test_commented_example_check_in_packaged_config_is_valid(self):
        """The example check is commented out (none run by default); uncommented it must still validate."""
        from hostwatch_testutil import SOURCE_DIR
        with open(os.path.join(SOURCE_DIR, "packaging", "hostwatch.yml")) as f:
            lines = f.read().split("# An example check", 1)[1].splitlines()[1:]
        example = [l[4:] for l in lines if l.startswith("  # ")]
        self.assertTrue(example and example[0].startswith("checks:"), example[:2])
        # basic_auth with an empty username is only a placeholder: drop it.
        body = "\n".join("  " + l for l in example if "basic_auth" not in l)
        path = self.tmp.write("example.yml", "http_checks:\n" + body + "\n")
        res = run_agent("--config.check", "--config.file=" + path)
        self.assertEqual(res.returncode, 0, res.stderr + "\n" + body)

    def test_packaged_example_config_is_valid(self):
        from hostwatch_testutil import SOURCE_DIR
        res = run_agent("--config.check", "--config.file=" + os.path.join(SOURCE_DIR, "packaging", "hostwatch.yml"))
        self.assertEqual(res.returncode, 0, res.stderr)


class ReloadTest(unittest.TestCase):
    def setUp(self):
        require_binary()
        self.tmp = TempDir()
        self.path = self.tmp.write("hostwatch.yml", GOOD_NO_CPU)

    def tearDown(self):
        self.tmp.cleanup()

    def _wait_for(self, agent, predicate, timeout=30):
        deadline = time.time() + timeout
        text = ""
        while time.time() < deadline:
            text = agent.metrics()
            if predicate(text):
                return text
            time.sleep(0.05)
        self.fail("condition not reached; last scrape:\n" + text[:2000])

    def test_sighup_applies_good_file_and_keeps_old_config_on_bad_file(self):
        with Agent("--config.file=" + self.path, env={"HW_TEST_GUEST": "true"}) as agent:
            text = agent.metrics()
            self.assertNotIn("node_cpu_seconds_total", text)
            self.assertEqual(sample(text, "hostwatch_config_last_reload_successful"), 1)
            first_ts = sample(text, "hostwatch_config_last_reload_success_timestamp_seconds")

            failures = []
            scrapes = [0]
            stop = threading.Event()

            def scrape_loop():
                while not stop.is_set():
                    status, _, _ = agent.request("/metrics")
                    scrapes[0] += 1
                    if status != 200:
                        failures.append(status)

            loop = threading.Thread(target=scrape_loop)
            loop.start()
            try:
                time.sleep(0.05)
                self.tmp.write("hostwatch.yml", GOOD_WITH_CPU)
                agent.proc.send_signal(signal.SIGHUP)
                text = self._wait_for(agent, lambda t: "node_cpu_seconds_total" in t)
                # ${HW_TEST_GUEST:-false} expanded from the agent's environment.
                self.assertIn("node_cpu_guest_seconds_total", text)
                self.assertEqual(sample(text, "hostwatch_config_last_reload_successful"), 1)
                self.assertGreaterEqual(sample(text, "hostwatch_config_last_reload_success_timestamp_seconds"),
                                        first_ts)

                self.tmp.write("hostwatch.yml", BAD)
                agent.proc.send_signal(signal.SIGHUP)
                text = self._wait_for(agent, lambda t: sample(t, "hostwatch_config_last_reload_successful") == 0)
                self.assertIn("node_cpu_seconds_total", text, "the running configuration must stay")
                # A few more SIGHUPs while scraping: still serving, still the old config.
                for _ in range(5):
                    agent.proc.send_signal(signal.SIGHUP)
                    time.sleep(0.02)
                time.sleep(0.3)
            finally:
                stop.set()
                loop.join(10)
            self.assertEqual(failures, [], "scrapes failed during reloads")
            self.assertGreater(scrapes[0], 5)
            errors = [l for l in agent.log_lines if "level=error" in l and "reload failed" in l]
            self.assertTrue(any(self.path + ":3:12" in l for l in errors), agent.log())

            self.tmp.write("hostwatch.yml", GOOD_NO_CPU)
            agent.proc.send_signal(signal.SIGHUP)
            # A scrape that took the old snapshot just before the swap can already
            # see the new reload status, so wait for both rather than the first 1.
            self._wait_for(agent, lambda t: sample(t, "hostwatch_config_last_reload_successful") == 1 and
                           "node_cpu_seconds_total" not in t)

    def test_http_reload_requires_lifecycle_flag(self):
        with Agent("--config.file=" + self.path) as agent:
            status, _, body = agent.request("/-/reload", method="POST", data=b"")
            self.assertEqual(status, 403, body)

    def test_http_reload_answers_200_or_500_with_reason(self):
        with Agent("--config.file=" + self.path, "--web.enable-lifecycle") as agent:
            self.tmp.write("hostwatch.yml", GOOD_WITH_CPU)
            status, _, body = agent.request("/-/reload", method="POST", data=b"")
            self.assertEqual(status, 200, body)
            self.assertIn("node_cpu_seconds_total", agent.metrics())
            self.tmp.write("hostwatch.yml", BAD)
            status, _, body = agent.request("/-/reload", method="POST", data=b"")
            self.assertEqual(status, 500)
            self.assertIn(b"collectors.cpu.guest: must be true or false", body)
            text = agent.metrics()
            self.assertEqual(sample(text, "hostwatch_config_last_reload_successful"), 0)
            self.assertIn("node_cpu_seconds_total", text)
            self.assertEqual(agent.request("/-/reload")[0], 405)

    def test_http_reload_error_never_echoes_a_value_from_the_environment(self):
        """Issue 16 item 11: whoever may call /-/reload must not learn a secret from the agent's
        environment by making the file use it where it is invalid; the error names file:line and key."""
        secret = "Zq7xK9(vWp-hunter2"  # also an invalid regular expression (no closing parenthesis)
        with Agent("--config.file=" + self.path, "--web.enable-lifecycle", env={"HW_TEST_SECRET": secret}) as agent:
            self.assertNotIn("node_cpu_seconds_total", agent.metrics())
            self.tmp.write("hostwatch.yml",
                           "collectors:\n"
                           "  cpu:\n"
                           "    enabled: true\n"
                           "    guest: ${HW_TEST_SECRET}\n"
                           "  filesystem:\n"
                           "    mount_points_exclude: '^/x${HW_TEST_SECRET}'\n"
                           "http_checks:\n"
                           "  checks:\n"
                           "    - name: a\n"
                           "      url: http://127.0.0.1:1/\n"
                           "      timeout: ${HW_TEST_SECRET}\n")
            status, _, body = agent.request("/-/reload", method="POST", data=b"")
            self.assertEqual(status, 500, body)
            text = body.decode()
            self.assertIn(self.path + ":4:12: collectors.cpu.guest: must be true or false", text)
            self.assertIn(self.path + ":6:27: collectors.filesystem.mount_points_exclude: invalid regular expression",
                          text)
            self.assertIn(self.path + ":11:16: http_checks.checks[0].timeout: invalid duration", text)
            # The log line may still be on its way when the HTTP answer is.
            self.assertTrue(wait_for(lambda: "reload failed" in agent.log(), timeout=30), agent.log())
            log = agent.log()
            for part in (secret, "Zq7x", "hunter2"):
                self.assertNotIn(part, text)
                self.assertNotIn(part, log)
            # The running configuration stays.
            metrics = agent.metrics()
            self.assertEqual(sample(metrics, "hostwatch_config_last_reload_successful"), 0)
            self.assertNotIn("node_cpu_seconds_total", metrics)


if __name__ == "__main__":
    unittest.main()
