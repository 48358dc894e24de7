"""/probe's hostname parameter (blackbox_exporter 0.20+) end to end, side by side with Debian's
blackbox_exporter 0.23 on the same modules and targets: an HTTPS server on 127.0.0.1 whose certificate
names only vhost.example is probed by IP with hostname=vhost.example (the Host header the server sees,
the TLS name sent (SNI) and verified), a plain HTTP server the same way; a module Host header that
disagrees is refused as blackbox refuses it; and the parameter never widens probe_targets."""
import json
import os
import shutil
import ssl
import subprocess
import threading
import unittest
import urllib.parse

from hostwatch_testutil import Agent, Process, Reply, TargetServer, TempDir, parse_samples

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
VHOST = "vhost.example"


class Seen:
    """What the servers saw: (path, Host header) and the TLS server names sent, in arrival order.
    A scheduled run of the same check may arrive meanwhile: callers pick their own requests by path,
    and a run by IP without hostname sends no server name (None, left out)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.hosts = []
        self.snis = []

    def host_reply(self, req):
        with self.lock:
            self.hosts.append((req.path, req.headers.get("Host")))
        return Reply(200, b"hello\n")

    def on_sni(self, sock, server_name, ctx):
        if server_name is not None:
            with self.lock:
                self.snis.append(server_name)

    def take(self, token):
        with self.lock:
            out = ([h for p, h in self.hosts if token in p], self.snis)
            self.hosts, self.snis = [], []
            return out


def make_vhost_cert(d):
    """A self-signed certificate (its own CA) for vhost.example only: not for 127.0.0.1 or localhost."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", "vhost.key", "-out", "vhost.pem", "-days", "30", "-subj", "/CN=" + VHOST,
                    "-addext", "subjectAltName=DNS:" + VHOST], check=True, capture_output=True, cwd=d, timeout=60)
    return os.path.join(d, "vhost.pem"), os.path.join(d, "vhost.key")


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make test certificates")
class ProbeHostnameTest(unittest.TestCase):
    probes = 0

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cert, key = make_vhost_cert(cls.tmp.path)
        cls.seen = Seen()
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        tls.sni_callback = cls.seen.on_sni
        routes = {"/host": cls.seen.host_reply}
        cls.https = TargetServer(routes, ssl_context=tls)
        cls.http = TargetServer(routes)
        # The same modules for both agents: hostwatch's checks are its modules.
        cls.modules = {
            "vhost_https": {"url": "https://127.0.0.1:%d/host" % cls.https.port, "tls": {"ca_file": cert}},
            "vhost_http": {"url": "http://127.0.0.1:%d/host" % cls.http.port},
            "hosted": {"url": "http://127.0.0.1:%d/host" % cls.http.port, "headers": {"Host": "other.example"}},
        }
        checks = [dict({"name": n, "interval": "1h", "timeout": "3s"}, **m) for n, m in sorted(cls.modules.items())]
        allowed = ["127.0.0.1:%d" % cls.https.port, "127.0.0.1:%d" % cls.http.port]
        config = {"http_checks": {"probe_targets": {"enabled": True, "allowed_targets": allowed}, "checks": checks}}
        cls.agent = Agent("--config.file=" + cls.tmp.write("hostwatch.yml", json.dumps(config)),
                          "--collector.disable-defaults")
        cls.blackbox = None
        if os.path.exists(BLACKBOX):
            bb_modules = {n: {"prober": "http", "timeout": "3s",
                              "http": {"headers": m.get("headers", {}),
                                       "tls_config": {"ca_file": m["tls"]["ca_file"]} if "tls" in m else {}}}
                          for n, m in cls.modules.items()}
            path = cls.tmp.write("blackbox.yml", json.dumps({"modules": bb_modules}))
            cls.blackbox = Process.on_free_port(lambda port: [BLACKBOX, "--config.file=" + path,
                                                              "--web.listen-address=127.0.0.1:%d" % port],
                                                name="blackbox", ready_path="/-/healthy")

    @classmethod
    def tearDownClass(cls):
        for p in [getattr(cls, "agent", None), getattr(cls, "blackbox", None)]:
            if p:
                p.stop()
        for name in ["https", "http"]:
            if hasattr(cls, name):
                getattr(cls, name).stop()
        cls.tmp.cleanup()

    def probe(self, agent, module, hostname=None, target=None):
        """(status, samples or body text, Host headers seen, SNIs seen) of one /probe of the module's
        URL with a query token of its own (target: another URL)."""
        ProbeHostnameTest.probes += 1
        token = "probe=%d" % self.probes
        q = {"module": module, "target": target or self.modules[module]["url"] + "?" + token}
        if hostname is not None:
            q["hostname"] = hostname
        self.seen.take(token)
        status, _, body = agent.request("/probe?" + urllib.parse.urlencode(q), timeout=15)
        text = body.decode("utf-8", "replace")
        hosts, snis = self.seen.take(token)
        return status, (parse_samples(text) if status == 200 else text), hosts, snis

    def agents(self):
        out = [("hostwatch", self.agent)]
        if self.blackbox:
            out.append(("blackbox 0.23", self.blackbox))
        return out

    def test_https_by_ip_verifies_and_sends_the_hostname(self):
        for name, agent in self.agents():
            with self.subTest(agent=name):
                status, samples, hosts, snis = self.probe(agent, "vhost_https")
                self.assertEqual(status, 200, samples)
                # Without it the certificate (vhost.example only) does not match 127.0.0.1.
                self.assertEqual(samples["probe_success"], 0, samples)
                status, samples, hosts, snis = self.probe(agent, "vhost_https", hostname=VHOST)
                self.assertEqual(status, 200, samples)
                self.assertEqual(samples["probe_success"], 1, samples)
                self.assertEqual(samples["probe_http_status_code"], 200)
                self.assertEqual(samples["probe_http_ssl"], 1)
                self.assertEqual(snis, [VHOST])
                self.assertEqual(hosts, [VHOST])

    def test_http_by_ip_sends_the_hostname_as_host(self):
        for name, agent in self.agents():
            with self.subTest(agent=name):
                status, samples, hosts, _ = self.probe(agent, "vhost_http", hostname=VHOST + ":8080")
                self.assertEqual(status, 200, samples)
                self.assertEqual(samples["probe_success"], 1, samples)
                self.assertEqual(hosts, [VHOST + ":8080"])
                # A hostname equal to the module's own Host header is no conflict.
                status, samples, hosts, _ = self.probe(agent, "hosted", hostname="other.example")
                self.assertEqual((status, samples["probe_success"], hosts), (200, 1, ["other.example"]))

    def test_hostname_conflicting_with_the_module_host_header_is_400(self):
        for name, agent in self.agents():
            with self.subTest(agent=name):
                status, body, hosts, _ = self.probe(agent, "hosted", hostname=VHOST)
                self.assertEqual(status, 400, body)
                self.assertIn("host header defined both in module configuration", body)
                self.assertIn("'hostname' (%s)" % VHOST, body)
                self.assertEqual(hosts, [])  # refused before anything was sent

    def test_malformed_hostname_is_400_and_nothing_is_sent(self):
        # blackbox sends "a b" on and fails the probe in Go's client; we refuse it up front, so no
        # caller-chosen text (CR/LF above all) ever reaches a request header.
        for bad in ["a b.example", "vhost.example\r\nX-Injected: 1", "user@vhost.example", "vhost.example/x"]:
            with self.subTest(hostname=bad):
                status, body, hosts, _ = self.probe(self.agent, "vhost_http", hostname=bad)
                self.assertEqual(status, 400, body)
                self.assertIn("invalid hostname", body)
                self.assertEqual(hosts, [])

    def test_hostname_does_not_widen_the_allow_list(self):
        # Where the probe connects is the target's business: an IP outside allowed_targets stays refused
        # whatever name it is asked to present.
        status, body, _, _ = self.probe(self.agent, "vhost_http", hostname=VHOST, target="http://127.0.0.2:9/host")
        self.assertEqual(status, 403, body)

    def test_own_target_with_hostname_is_probed_now_not_served_from_the_schedule(self):
        # The check's own URL (here: no target at all) with a hostname is run now: the schedule's run (by
        # IP, no hostname) fails verification or has not happened yet (503); this one succeeds.
        status, _, body = self.agent.request("/probe?module=vhost_https&hostname=" + VHOST, timeout=15)
        self.assertEqual(status, 200, body)
        self.assertEqual(parse_samples(body.decode())["probe_success"], 1, body)
        status, _, body = self.agent.request("/probe?module=vhost_https&debug=true&hostname=" + VHOST, timeout=15)
        self.assertEqual(status, 200, body)
        self.assertIn('host="%s"' % VHOST, body.decode())  # the request line in the run's log


if __name__ == "__main__":
    unittest.main()
