"""libcurl is loaded only when HTTP checks need it (collectors/core/curl_api.h): an agent with default
flags serves /metrics (and refuses /probe for an unknown module) without mapping libcurl; the first
configuration with a check, at start or on reload, loads it and the check runs."""
import json
import os
import signal
import time
import unittest

from hostwatch_testutil import Agent, Reply, TargetServer, TempDir, library_mapped, parse_samples, require_binary


def config_with_check(port):
    # JSON is YAML: no third-party YAML writer needed.
    return json.dumps({"http_checks": {"defaults": {"interval": "1s", "timeout": "900ms"},
                                       "checks": [{"name": "local", "url": "http://127.0.0.1:%d/" % port}]}})


class LazyLibcurlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        cls.target = TargetServer({"*": Reply(200, b"ok")})

    @classmethod
    def tearDownClass(cls):
        cls.target.stop()
        cls.tmp.cleanup()

    def wait_for_check(self, agent, limit=15):
        deadline = time.time() + limit
        text = ""
        while time.time() < deadline:
            text = agent.metrics()
            if parse_samples(text).get('probe_success{check="local",target="http://127.0.0.1:%d/"}'
                                       % self.target.port) == 1:
                return
            time.sleep(0.2)
        self.fail("the check did not succeed within %ss:\n%s\nlog:\n%s" % (limit, text, agent.log()))

    def test_default_flags_never_load_libcurl_until_a_reload_adds_a_check(self):
        config = os.path.join(self.tmp.path, "added.yml")
        with open(config, "w") as f:
            f.write("{}\n")
        with Agent("--config.file=" + config) as agent:
            for _ in range(5):
                agent.metrics()
            self.assertEqual(agent.request("/probe?module=nothing")[0], 400)
            self.assertEqual(agent.request("/")[0], 200)
            self.assertFalse(library_mapped(agent.proc.pid, "libcurl.so"), "libcurl mapped by an agent without checks")

            with open(config, "w") as f:
                f.write(config_with_check(self.target.port))
            agent.proc.send_signal(signal.SIGHUP)
            self.wait_for_check(agent)
            self.assertTrue(library_mapped(agent.proc.pid, "libcurl.so"))

    def test_check_in_the_startup_config_loads_libcurl(self):
        config = self.tmp.write("startup.yml", config_with_check(self.target.port))
        with Agent("--config.file=" + config) as agent:
            self.assertTrue(library_mapped(agent.proc.pid, "libcurl.so"))
            self.wait_for_check(agent)
            status, _, body = agent.request("/probe?module=local")
            self.assertEqual(status, 200, body)
            self.assertIn(b"probe_success 1", body)


if __name__ == "__main__":
    unittest.main()
