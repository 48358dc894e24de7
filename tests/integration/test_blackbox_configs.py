"""Blackbox configs and target files carry over: the agent reads blackbox's own example-style http
modules (http_2xx, http_post_2xx with a body, http_basic_auth_example with password_file) from a
blackbox.yml named by modules_file:, and takes their targets from Prometheus file_sd files (one YAML,
one JSON) that this test rewrites while the agent runs. Asserts, against a local HTTP server:
- each (module, target) is a scheduled check with check/target and the file's labels ("__" dropped);
- side by side with Debian's prometheus-blackbox-exporter (0.23) on the same blackbox.yml and the
  same targets, probe_success and probe_http_status_code are equal for every pair;
- targets appear and disappear when a file changes, without SIGHUP; a malformed file keeps its
  previous targets and is counted;
- /probe answers a scheduled pair from its last run and an unscheduled target of a `modules:` http
  module ad hoc, under probe_targets."""
import base64
import json
import os
import unittest
import urllib.parse

from hostwatch_testutil import Agent, Process, TempDir, parse_samples, require_binary, wait_for
from target_server import Reply, TargetServer

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
PASSWORD = "s3cret-pw"


def login(req):
    """http_basic_auth_example's target: 200 for the right basic auth on a POST with its Host header."""
    good = "Basic " + base64.b64encode(("username:" + PASSWORD).encode()).decode()
    ok = req.headers.get("Authorization") == good and req.headers.get("Host") == "login.example.com"
    return Reply(200 if ok else 401, b"welcome" if ok else b"who?")


def blackbox_yml(password_file):
    """The modules as blackbox's example.yml writes them (timeouts shortened for the test)."""
    return """modules:
  http_2xx:
    prober: http
    timeout: 2s
  http_post_2xx:
    prober: http
    timeout: 2s
    http:
      method: POST
      headers:
        Content-Type: application/json
      body: '{}'
  http_basic_auth_example:
    prober: http
    timeout: 2s
    http:
      method: POST
      headers:
        Host: "login.example.com"
      basic_auth:
        username: "username"
        password_file: "%s"
""" % password_file


class BlackboxConfigsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        cls.server = TargetServer({"/ok": Reply(200, b"fine"), "/teapot": Reply(418, b"short and stout"),
                                   "POST /post": lambda req: Reply(200 if req.body == b"{}" else 400),
                                   "POST /login": login}, record=True)
        u = cls.server.url
        cls.tmp.write("pw", PASSWORD + "\n")
        cls.bb_path = cls.tmp.write("blackbox.yml", blackbox_yml(os.path.join(cls.tmp.path, "pw")))
        cls.targets_dir = os.path.join(cls.tmp.path, "targets")
        os.makedirs(cls.targets_dir)
        cls.write_web([u("/ok"), u("/teapot")])
        cls.tmp.write("targets/api.json", json.dumps([
            {"targets": [u("/post"), u("/ok")], "labels": {"env": "api", "__meta_source": "cmdb"}}]))
        config = {
            "modules_file": cls.bb_path,
            "http_checks": {"probe_targets": {"enabled": True, "allowed_targets": ["127.0.0.1"]}},
            "checks": [
                {"module": "http_2xx", "targets_files": [os.path.join(cls.targets_dir, "web*.yml")], "interval": "3s"},
                {"module": "http_post_2xx", "targets_files": [os.path.join(cls.targets_dir, "*.json")],
                 "interval": "3s"},
                {"module": "http_basic_auth_example", "targets": [u("/login"), u("/ok")], "interval": "3s"},
            ]}
        cls.config_path = cls.tmp.write("hostwatch.yml", json.dumps(config, indent=1))
        cls.pairs = {("http_2xx", u("/ok"), "web"), ("http_2xx", u("/teapot"), "web"),
                     ("http_post_2xx", u("/post"), "api"), ("http_post_2xx", u("/ok"), "api"),
                     ("http_basic_auth_example", u("/login"), None), ("http_basic_auth_example", u("/ok"), None)}
        cls.agent = Agent("--config.file=" + cls.config_path, "--log.level=debug")
        cls.text = wait_for(lambda: cls.ran(cls.pairs), timeout=30)
        if not cls.text:
            raise AssertionError("the checks did not all run:\n" + cls.agent.metrics())

    @classmethod
    def write_web(cls, targets):
        # Written whole and renamed in, as configuration management does.
        text = "# file_sd, as Prometheus reads it\n- targets: %s\n  labels:\n    env: web\n    __param_module: x\n" \
               % json.dumps(targets)
        tmp = cls.tmp.write("targets/.web.yml.new", text)
        os.replace(tmp, os.path.join(cls.targets_dir, "web.yml"))

    @staticmethod
    def key(name, module, target, env):
        return '%s{check="%s",%starget="%s"}' % (name, module, 'env="%s",' % env if env else "", target)

    @classmethod
    def ran(cls, pairs, absent=()):
        text = cls.agent.metrics()
        s = parse_samples(text)
        done = all(cls.key("probe_success", m, t, e) in s for m, t, e in pairs)
        gone = all(cls.key("probe_success", m, t, e) not in s for m, t, e in absent)
        return text if done and gone else None

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        cls.server.stop()
        cls.tmp.cleanup()

    def test_file_targets_are_checks_with_their_labels(self):
        s = parse_samples(self.text)
        u = self.server.url
        self.assertEqual(s[self.key("probe_success", "http_2xx", u("/ok"), "web")], 1)
        self.assertEqual(s[self.key("probe_http_status_code", "http_2xx", u("/teapot"), "web")], 418)
        self.assertEqual(s[self.key("probe_success", "http_post_2xx", u("/post"), "api")], 1)
        self.assertEqual(s[self.key("probe_success", "http_basic_auth_example", u("/login"), None)], 1)
        self.assertEqual(s[self.key("probe_http_status_code", "http_basic_auth_example", u("/ok"), None)], 404)
        self.assertNotIn("__meta_source", self.text)
        self.assertNotIn("__param_module", self.text)
        self.assertNotIn(PASSWORD, self.agent.request("/probe?" + urllib.parse.urlencode(
            {"module": "http_basic_auth_example", "target": u("/login"), "debug": "true"}))[2].decode())

    def test_probe_answers_scheduled_pairs_and_ad_hoc_targets(self):
        u = self.server.url
        status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode(
            {"module": "http_post_2xx", "target": u("/post")}))
        self.assertEqual(status, 200, body)
        self.assertEqual(parse_samples(body.decode())["probe_success"], 1)
        before = len(self.server.hits("/teapot?adhoc"))
        status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode(
            {"module": "http_2xx", "target": u("/teapot?adhoc=1")}))
        self.assertEqual(status, 200, body)
        s = parse_samples(body.decode())
        self.assertEqual((s["probe_success"], s["probe_http_status_code"]), (0, 418))
        self.assertEqual(len(self.server.hits("/teapot?adhoc")), before + 1)  # run now, for this request
        status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode(
            {"module": "http_2xx", "target": "http://192.0.2.1/"}))
        self.assertEqual(status, 403, body)  # outside probe_targets.allowed_targets

    def test_same_answers_as_blackbox_exporter(self):
        if not os.path.exists(BLACKBOX):
            self.skipTest("prometheus-blackbox-exporter is not installed")
        bb = Process.on_free_port(lambda port: [BLACKBOX, "--config.file=" + self.bb_path,
                                                "--web.listen-address=127.0.0.1:%d" % port],
                                  name="blackbox", ready_path="/-/healthy")
        try:
            ours_all = parse_samples(self.agent.metrics())
            for module, target, env in sorted(self.pairs, key=str):
                with self.subTest(module=module, target=target):
                    query = "/probe?" + urllib.parse.urlencode({"module": module, "target": target})
                    theirs = parse_samples(bb.request(query)[2].decode())
                    for name in ["probe_success", "probe_http_status_code"]:
                        self.assertEqual(ours_all.get(self.key(name, module, target, env)), theirs.get(name), name)
        finally:
            bb.stop()

    def test_rewritten_files_add_and_remove_checks_without_a_reload(self):
        u = self.server.url
        self.write_web([u("/ok"), u("/ok?new=1")])
        text = wait_for(lambda: self.ran({("http_2xx", u("/ok?new=1"), "web")},
                                         absent={("http_2xx", u("/teapot"), "web")}), timeout=30)
        self.assertIsNotNone(text, self.agent.metrics())
        # A malformed file keeps its previous targets, is counted, and the agent carries on.
        errors = 'hostwatch_check_targets_file_errors_total{file="%s"}' % os.path.join(self.targets_dir, "web.yml")
        before = parse_samples(self.agent.metrics()).get(errors, 0)
        with open(os.path.join(self.targets_dir, "web.yml"), "a") as f:
            f.write("- targets: [unclosed\n")
        self.assertIsNotNone(wait_for(lambda: parse_samples(self.agent.metrics()).get(errors, 0) > before,
                                      timeout=30), self.agent.metrics())
        self.assertIsNotNone(self.ran({("http_2xx", u("/ok?new=1"), "web")}))
        self.assertEqual(self.agent.request("/-/healthy")[0], 200)
        self.assertIn("hostwatch_config_last_reload_successful 1", self.agent.metrics())
        # Back as it was, for the other tests.
        self.write_web([u("/ok"), u("/teapot")])
        self.assertIsNotNone(wait_for(lambda: self.ran(self.pairs, absent={("http_2xx", u("/ok?new=1"), "web")}),
                                      timeout=30), self.agent.metrics())


if __name__ == "__main__":
    unittest.main()
