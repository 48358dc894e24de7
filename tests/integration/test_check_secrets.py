"""Secrets in HTTP checks end to end (issue 16, items 5-7): the real binary and real HTTP servers this
test starts on 127.0.0.1 that record the headers every request brings.

- A redirect to another origin (host name or port) gets none of the check's headers, basic_auth or
  bearer_token unless the check says follow_redirects_keep_headers: true.
- Query parameters that look secret (?token=...) are redacted everywhere a URL is shown: the target
  label, the status page, /probe?debug=true and the log; the server still gets the real value.
- Ad-hoc /probe: a host-name entry does not make loopback reachable (the connected address must pass
  the address rules; an explicit address entry does), and the module's credentials go to an ad-hoc
  target only over https, to the module's own origin, or where the entry says
  send_credentials_over_http."""
import json
import os
import shutil
import threading
import time
import unittest
import urllib.parse

from hostwatch_testutil import Agent, Reply, TargetServer, TempDir, parse_samples, require_binary
from test_http_checks import make_certs

BEARER = "b3arer-s3cret"
API_KEY = "ap1-k3y-s3cret"
COOKIE = "session=c00kie-s3cret"
PASSWORD = "ba5ic-s3cret"


class HeaderLog:
    """A route that answers 200 and keeps the headers (lower-case names) of every request, by path."""

    def __init__(self, reply=None):
        self.lock = threading.Lock()
        self.seen = {}
        self.reply = reply or Reply(200, b"landed\n")

    def __call__(self, req):
        with self.lock:
            self.seen.setdefault(req.path, []).append({k.lower(): v for k, v in req.headers.items()})
        return self.reply

    def requests(self, path):
        with self.lock:
            return list(self.seen.get(path, []))

    def wait(self, path, limit=15):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            got = self.requests(path)
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError("nothing reached %s within %ss (seen: %s)" % (path, limit, sorted(self.seen)))


def render_config(checks, probe_targets=None):
    """JSON is YAML: the http_checks section for checks {name: settings}."""
    section = {"defaults": {"interval": "1s", "timeout": "900ms"},
               "checks": [dict({"name": n}, **c) for n, c in sorted(checks.items())]}
    if probe_targets is not None:
        section["probe_targets"] = probe_targets
    return json.dumps({"http_checks": section}, indent=1)


def probe_path(module, target=None, debug=False):
    q = {"module": module}
    if target is not None:
        q["target"] = target
    if debug:
        q["debug"] = "true"
    return "/probe?" + urllib.parse.urlencode(q)


SECRET_SETTINGS = {"bearer_token": BEARER, "headers": {"X-Api-Key": API_KEY, "Cookie": COOKIE}}


class RedirectHeadersTest(unittest.TestCase):
    """Item 5: server A redirects each check to server B (another port, and for most another host name)."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.landing = HeaderLog()
        cls.b = TargetServer({"*": cls.landing})
        cls.a_log = HeaderLog()
        cls.a = TargetServer({
            # /to-b/<check>?host=<name>: 302 to B under that host name.
            "/to-b/*": lambda req: Reply(302, headers=[("Location", "http://%s:%d/landing/%s" % (
                urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query)["host"][0], cls.b.port,
                urllib.parse.urlsplit(req.path).path.rsplit("/", 1)[1]))]),
            "/to-self/*": lambda req: Reply(302, headers=[("Location", "/here/" + req.path.rsplit("/", 1)[1])]),
            "/here/*": cls.a_log,
        })
        a = "http://127.0.0.1:%d" % cls.a.port
        cls.checks = {
            "other_host": dict(SECRET_SETTINGS, url=a + "/to-b/other_host?host=localhost"),
            "other_port": dict(SECRET_SETTINGS, url=a + "/to-b/other_port?host=127.0.0.1"),
            "keep": dict(SECRET_SETTINGS, url=a + "/to-b/keep?host=localhost", follow_redirects_keep_headers=True),
            "basic": {"url": a + "/to-b/basic?host=localhost", "basic_auth": {"username": "u", "password": PASSWORD}},
            "basic_keep": {"url": a + "/to-b/basic_keep?host=localhost", "follow_redirects_keep_headers": True,
                           "basic_auth": {"username": "u", "password": PASSWORD}},
            "same_origin": dict(SECRET_SETTINGS, url=a + "/to-self/same_origin"),
        }
        cls.tmp = TempDir()
        config = cls.tmp.write("hostwatch.yml", render_config(cls.checks))
        cls.agent = Agent("--config.file=" + config, "--collector.disable-defaults")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        cls.a.stop()
        cls.b.stop()
        cls.tmp.cleanup()

    def landed(self, check):
        return self.landing.wait("/landing/" + check)[0]

    def assert_no_secrets(self, headers):
        self.assertNotIn("authorization", headers)
        self.assertNotIn("x-api-key", headers)
        self.assertNotIn(COOKIE, headers.get("cookie", ""))
        self.assertNotIn(BEARER, json.dumps(headers))

    def test_redirect_to_another_host_gets_no_configured_header_or_credential(self):
        self.assert_no_secrets(self.landed("other_host"))

    def test_another_port_on_the_same_host_is_another_origin(self):
        self.assert_no_secrets(self.landed("other_port"))

    def test_basic_auth_does_not_follow_to_another_host(self):
        self.assertNotIn("authorization", self.landed("basic"))

    def test_follow_redirects_keep_headers_sends_them_on(self):
        h = self.landed("keep")
        self.assertEqual(h.get("authorization"), "Bearer " + BEARER)
        self.assertEqual(h.get("x-api-key"), API_KEY)
        self.assertIn(COOKIE, h.get("cookie", ""))
        self.assertTrue(self.landing.wait("/landing/basic_keep")[0].get("authorization", "").startswith("Basic "))

    def test_same_origin_redirect_keeps_them(self):
        h = self.a_log.wait("/here/same_origin")[0]
        self.assertEqual(h.get("authorization"), "Bearer " + BEARER)
        self.assertEqual(h.get("x-api-key"), API_KEY)

    def test_debug_log_says_why_they_were_withheld(self):
        self.landed("other_host")
        deadline = time.monotonic() + 10
        text = ""
        while time.monotonic() < deadline:
            status, _, body = self.agent.request(probe_path("other_host", debug=True))
            text = body.decode()
            if status == 200 and "Following redirect" in text:
                break
            time.sleep(0.2)
        self.assertIn('msg="Not sending the check\'s headers and credentials" reason="redirect to another origin',
                      text)
        self.assertIn("probe_success 1", text)


class QuerySecretsTest(unittest.TestCase):
    """Item 6: secrets in query strings stay out of every place a URL is shown."""

    SECRETS = {"token": "qs-t0ken-s3cret", "api_key": "qs-ap1key-s3cret", "session": "qs-sess10n-s3cret",
               "sig": "qs-s1g-s3cret", "password": "qs-passw0rd-s3cret", "adhoc": "qs-adh0c-s3cret"}

    @classmethod
    def setUpClass(cls):
        require_binary()
        s = cls.SECRETS
        cls.server = TargetServer({
            "/ok": Reply(200, b"ok\n"),
            "/moved": Reply(302, headers=[("Location", "/ok?sig=" + s["sig"])]),
            "/500": Reply(500, b"boom"),
        }, record=True)
        h = "http://127.0.0.1:%d" % cls.server.port
        cls.checks = {
            "token": {"url": h + "/ok?token=%s&visible=yes" % s["token"]},
            "custom": {"url": h + "/ok?API_KEY=%s&Session=%s" % (s["api_key"], s["session"]),
                       "redact_query_params": ["session"]},
            "moved": {"url": h + "/moved"},
            "failing": {"url": h + "/500?password=" + s["password"]},
        }
        cls.tmp = TempDir()
        config = cls.tmp.write("hostwatch.yml", render_config(
            cls.checks, {"enabled": True, "allowed_targets": ["127.0.0.1:%d" % cls.server.port]}))
        cls.agent = Agent("--config.file=" + config, "--collector.disable-defaults", "--log.level=debug")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            samples = parse_samples(cls.agent.metrics())
            if all(any(k.startswith('probe_success{check="%s"' % n) for k in samples) for n in cls.checks):
                break
            time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        cls.server.stop()
        cls.tmp.cleanup()

    def assert_no_secrets(self, text, where):
        for name, value in self.SECRETS.items():
            self.assertNotIn(value, text, "%s shows the %s secret" % (where, name))

    def test_the_server_gets_the_real_values(self):
        hits = self.server.hits()
        self.assertIn("/ok?token=%s&visible=yes" % self.SECRETS["token"], hits)
        self.assertIn("/ok?sig=" + self.SECRETS["sig"], hits)
        self.assertIn("/500?password=" + self.SECRETS["password"], hits)

    def test_target_labels_are_redacted(self):
        metrics = self.agent.metrics()
        self.assert_no_secrets(metrics, "/metrics")
        port = self.server.port
        self.assertIn('target="http://127.0.0.1:%d/ok?token=xxxxx&visible=yes"' % port, metrics)
        # The default names and the check's own, case-insensitively.
        self.assertIn('target="http://127.0.0.1:%d/ok?API_KEY=xxxxx&Session=xxxxx"' % port, metrics)

    def test_status_page_is_redacted(self):
        status, _, body = self.agent.request("/")
        self.assertEqual(status, 200)
        page = body.decode()
        self.assert_no_secrets(page, "the status page")
        self.assertIn("token=xxxxx", page)

    def test_probe_debug_is_redacted(self):
        for check in self.checks:
            status, _, body = self.agent.request(probe_path(check, debug=True))
            self.assertEqual(status, 200, body)
            text = body.decode()
            self.assert_no_secrets(text, "/probe?module=%s&debug=true" % check)
        status, _, body = self.agent.request(probe_path("moved", debug=True))
        self.assertIn('location="http://127.0.0.1:%d/ok?sig=xxxxx"' % self.server.port, body.decode())

    def test_redacted_target_still_names_the_checks_own_result(self):
        redacted = "http://127.0.0.1:%d/ok?token=xxxxx&visible=yes" % self.server.port
        status, _, body = self.agent.request(probe_path("token", target=redacted))
        self.assertEqual(status, 200, body)
        self.assertEqual(parse_samples(body.decode())["probe_success"], 1)

    def test_ad_hoc_target_is_redacted_in_its_debug_page(self):
        target = "http://127.0.0.1:%d/ok?access_token=%s" % (self.server.port, self.SECRETS["adhoc"])
        status, _, body = self.agent.request(probe_path("token", target=target, debug=True))
        self.assertEqual(status, 200, body)
        text = body.decode()
        self.assertIn("probe_success 1", text)
        self.assertIn("access_token=xxxxx", text)
        self.assert_no_secrets(text, "an ad-hoc /probe debug page")
        self.assertIn("/ok?access_token=" + self.SECRETS["adhoc"], self.server.hits())

    def test_log_is_redacted(self):
        deadline = time.monotonic() + 10
        while 'check=failing' not in self.agent.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = self.agent.log()
        self.assertIn("check=failing", log)  # the failing check was logged at debug
        self.assert_no_secrets(log, "the agent's log")


class AdHocAddressRulesTest(unittest.TestCase):
    """Item 7: a host-name entry chooses URLs; the connected address must still pass the address rules."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.server = TargetServer({"/ok": Reply(200, b"ok\n")}, record=True)
        cls.tmp = TempDir()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def agent_with(self, allowed_targets):
        config = self.tmp.write("hostwatch-%d.yml" % len(allowed_targets), render_config(
            {"web": {"url": "http://127.0.0.1:%d/ok" % self.server.port, "interval": "60s", "timeout": "5s"}},
            {"enabled": True, "allowed_targets": allowed_targets}))
        return Agent("--config.file=" + config, "--collector.disable-defaults")

    def test_name_entry_does_not_reach_loopback(self):
        # "localhost" resolves to 127.0.0.1 (IPv4 is preferred): like a name under an allowed glob whose
        # DNS answer points inside the host.
        with self.agent_with(["localhost"]) as agent:
            path = "/ok?named-loopback"
            status, _, body = agent.request(probe_path("web", "http://localhost:%d%s" % (self.server.port, path),
                                                       debug=True))
            text = body.decode()
            self.assertEqual(status, 200, text)
            self.assertIn("probe_success 0", text)
            self.assertIn("reason=target_not_allowed", text)
            self.assertIn("connection to 127.0.0.1:%d (resolved from localhost) refused: 127.0.0.1 is a protected "
                          "address (loopback, 127.0.0.0/8)" % self.server.port, text)
            self.assertEqual(self.server.hits(path), [], "the refused connection must not be made")

    def test_explicit_address_entry_allows_it(self):
        with self.agent_with(["localhost", "127.0.0.1/32"]) as agent:
            path = "/ok?explicit-loopback"
            status, _, body = agent.request(probe_path("web", "http://localhost:%d%s" % (self.server.port, path)))
            self.assertEqual(status, 200, body)
            self.assertEqual(parse_samples(body.decode())["probe_success"], 1, body)
            self.assertEqual(self.server.hits(path), [path])

    def test_wide_network_entry_does_not_cover_loopback_or_metadata(self):
        with self.agent_with(["0.0.0.0/0"]) as agent:
            path = "/ok?wide"
            status, _, body = agent.request(probe_path("web", "http://127.0.0.1:%d%s" % (self.server.port, path)))
            self.assertEqual(status, 403, body)
            self.assertIn(b"127.0.0.1 is a protected address (loopback", body)
            status, _, body = agent.request(probe_path("web", "http://169.254.169.254/latest/meta-data/"))
            self.assertEqual(status, 403, body)
            self.assertIn(b"cloud metadata", body)
            self.assertEqual(self.server.hits(path), [])


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make test certificates")
class AdHocCredentialsTest(unittest.TestCase):
    """Item 7: the module's credentials and ad-hoc targets over http."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        make_certs(cls.tmp.path)
        cls.own, cls.plain, cls.trusted, cls.tls = HeaderLog(), HeaderLog(), HeaderLog(), HeaderLog()
        cls.own_server = TargetServer({"*": cls.own})
        cls.plain_server = TargetServer({"*": cls.plain})
        cls.trusted_server = TargetServer({"*": cls.trusted})
        cls.tls_server = TargetServer({"*": cls.tls}, cert=os.path.join(cls.tmp.path, "good.pem"),
                                      key=os.path.join(cls.tmp.path, "leaf.key"))
        ports = [s.port for s in (cls.own_server, cls.plain_server, cls.tls_server)]
        module = dict(SECRET_SETTINGS, url="http://127.0.0.1:%d/module" % cls.own_server.port,
                      tls={"ca_file": os.path.join(cls.tmp.path, "ca.pem")}, interval="60s", timeout="5s")
        config = cls.tmp.write("hostwatch.yml", render_config(
            {"mod": module},
            {"enabled": True,
             "allowed_targets": ["127.0.0.1:%d" % p for p in ports] +
                                [{"target": "127.0.0.1:%d" % cls.trusted_server.port,
                                  "send_credentials_over_http": True}]}))
        cls.agent = Agent("--config.file=" + config, "--collector.disable-defaults")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        for s in (cls.own_server, cls.plain_server, cls.trusted_server, cls.tls_server):
            s.stop()
        cls.tmp.cleanup()

    def probe(self, url):
        status, _, body = self.agent.request(probe_path("mod", url, debug=True))
        self.assertEqual(status, 200, body)
        self.assertIn("probe_success 1", body.decode())
        return body.decode()

    def assert_credentials(self, headers, sent):
        check = self.assertEqual if sent else self.assertNotEqual
        check(headers.get("authorization"), "Bearer " + BEARER)
        check(headers.get("x-api-key"), API_KEY)

    def test_plain_http_target_gets_no_credentials(self):
        text = self.probe("http://127.0.0.1:%d/adhoc" % self.plain_server.port)
        self.assert_credentials(self.plain.wait("/adhoc")[0], sent=False)
        self.assertIn("ad-hoc target over http that is not the module's own origin", text)

    def test_https_target_gets_them(self):
        self.probe("https://127.0.0.1:%d/adhoc" % self.tls_server.port)
        self.assert_credentials(self.tls.wait("/adhoc")[0], sent=True)

    def test_the_modules_own_origin_gets_them_over_http(self):
        self.probe("http://127.0.0.1:%d/elsewhere" % self.own_server.port)
        self.assert_credentials(self.own.wait("/elsewhere")[0], sent=True)

    def test_entry_with_send_credentials_over_http_gets_them(self):
        self.probe("http://127.0.0.1:%d/adhoc" % self.trusted_server.port)
        self.assert_credentials(self.trusted.wait("/adhoc")[0], sent=True)


if __name__ == "__main__":
    unittest.main()
