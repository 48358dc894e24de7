"""Secure, reachable endpoint: --web.config.file (TLS, client certificates, basic auth,
headers, live reload) and IPv6 / dual-stack --web.listen-address, against the real binary.

Certificates are made at test time with the openssl command line; bcrypt hashes with
Python's crypt module (libxcrypt, the same library the agent verifies with). A real
Prometheus scrapes the agent over HTTPS with basic auth.
"""
import base64
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import warnings

from hostwatch_testutil import Agent, Process, TempDir, free_port, require_binary, run_agent

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # deprecated in 3.11, still present; Debian 12 ships 3.11


def bcrypt_hash(password, prefix="$2y$", cost=4):
    """bcrypt at cost 4 unless told (fast tests); $2y$ is what htpasswd -B writes."""
    h = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2 ** cost))
    return prefix + h[4:]


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=30)


class Pki:
    """A CA and certificates signed by it, as files in a directory."""

    def __init__(self, directory, name):
        self.dir = directory
        self.name = name
        self.ca_key = os.path.join(directory, name + "-ca.key")
        self.ca_crt = os.path.join(directory, name + "-ca.crt")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", self.ca_key, "-out", self.ca_crt, "-days", "2", "-subj", "/CN=%s test CA" % name,
                cwd=directory)

    def issue(self, cn, server=True):
        key = os.path.join(self.dir, "%s-%s.key" % (self.name, cn))
        csr = os.path.join(self.dir, "%s-%s.csr" % (self.name, cn))
        crt = os.path.join(self.dir, "%s-%s.crt" % (self.name, cn))
        ext = os.path.join(self.dir, "%s-%s.ext" % (self.name, cn))
        with open(ext, "w") as f:
            if server:
                f.write("subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
            else:
                f.write("extendedKeyUsage=clientAuth\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                "-out", csr, "-subj", "/CN=" + cn, cwd=self.dir)
        openssl("x509", "-req", "-in", csr, "-CA", self.ca_crt, "-CAkey", self.ca_key, "-CAcreateserial",
                "-out", crt, "-days", "2", "-extfile", ext, cwd=self.dir)
        return crt, key


def client_context(ca_file, cert=None, minimum=None, maximum=None, ciphers=None):
    ctx = ssl.create_default_context(cafile=ca_file)
    if cert:
        ctx.load_cert_chain(*cert)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1_1 is deprecated: that is the point
        if minimum:
            ctx.minimum_version = minimum
        if maximum:
            ctx.maximum_version = maximum
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def https_get(port, path, ctx, auth=None, host="127.0.0.1", timeout=10):
    """Returns (status, headers with lower-case names, body)."""
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
    url = "https://%s:%d%s" % ("[%s]" % host if ":" in host else host, port, path)
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def http_get(host, port, path, timeout=10):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_connection((host, port), timeout=timeout) as s:
        assert s.family == family
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


def bound_ports(agent):
    """Ports from the startup line, in --web.listen-address order."""
    for line in agent.log_lines:
        if 'msg="hostwatch started"' in line:
            addresses = re.search(r"address=(\S+)", line).group(1).strip('"')
            return [int(a.rsplit(":", 1)[1]) for a in addresses.split(",")]
    raise AssertionError("no startup line:\n" + agent.log())


def write(path, text):
    # Write then rename, as certificate renewal tools do, so the agent never reads half a file.
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class TlsAndBasicAuthTest(unittest.TestCase):
    """One agent with TLS, basic auth and a configured header, shared by the tests."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        cls.pki = Pki(cls.tmp.path, "server")
        cls.other_pki = Pki(cls.tmp.path, "other")
        cls.cert, cls.key = cls.pki.issue("localhost")
        cls.web = cls.tmp.write("web.yml", """
tls_server_config:
  cert_file: server-localhost.crt   # relative to this file, as in exporter-toolkit
  key_file: server-localhost.key
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
basic_auth_users:
  alice: '%s'
  bob: '%s'
""" % (bcrypt_hash("alice-secret", "$2y$"), bcrypt_hash("bob-secret", "$2b$")))
        cls.agent = Agent("--web.config.file=" + cls.web)
        cls.port = cls.agent.port
        cls.ctx = client_context(cls.pki.ca_crt)

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.tmp.cleanup()

    def test_https_scrape_with_right_ca_succeeds(self):
        status, headers, body = https_get(self.port, "/metrics", self.ctx, auth=("alice", "alice-secret"))
        self.assertEqual(status, 200)
        self.assertIn(b"hostwatch_build_info", body)
        self.assertEqual(headers.get("x-content-type-options"), "nosniff")

    def test_https_with_wrong_ca_fails_verification(self):
        with self.assertRaises(urllib.error.URLError) as cm:
            https_get(self.port, "/metrics", client_context(self.other_pki.ca_crt), auth=("alice", "alice-secret"))
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(cm.exception))

    def test_plain_http_to_tls_port_gets_no_metrics(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(5)
            try:
                data = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                data = b""
        self.assertNotIn(b"hostwatch_build_info", data)

    def test_basic_auth_right_wrong_and_missing(self):
        for user, password in [("alice", "alice-secret"), ("bob", "bob-secret")]:
            status, _, _ = https_get(self.port, "/metrics", self.ctx, auth=(user, password))
            self.assertEqual(status, 200, user)
        for auth in [("alice", "wrong"), ("mallory", "alice-secret"), ("alice", ""), None]:
            status, headers, _ = https_get(self.port, "/metrics", self.ctx, auth=auth)
            self.assertEqual(status, 401, auth)
            self.assertEqual(headers.get("www-authenticate"), "Basic", auth)
        # Unknown paths are not revealed before authentication.
        status, _, _ = https_get(self.port, "/no-such-page", self.ctx)
        self.assertEqual(status, 401)
        status, _, _ = https_get(self.port, "/no-such-page", self.ctx, auth=("alice", "alice-secret"))
        self.assertEqual(status, 404)

    def test_healthy_stays_unauthenticated_by_default(self):
        status, _, body = https_get(self.port, "/-/healthy", self.ctx)
        self.assertEqual(status, 200)
        self.assertEqual(body, b"Healthy\n")
        status, _, _ = https_get(self.port, "/-/ready", self.ctx)
        self.assertEqual(status, 401)

    def test_tls11_is_refused_by_the_server(self):
        # The client offers only TLS 1.1 (with the security level lowered so that the client
        # itself can send it); the server must answer with a protocol_version alert.
        ctx = client_context(self.pki.ca_crt, minimum=ssl.TLSVersion.TLSv1_1, maximum=ssl.TLSVersion.TLSv1_1,
                             ciphers="DEFAULT:@SECLEVEL=0")
        with self.assertRaises((ssl.SSLError, urllib.error.URLError)) as cm:
            https_get(self.port, "/-/healthy", ctx)
        self.assertIn("PROTOCOL_VERSION", str(cm.exception).upper())
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = client_context(self.pki.ca_crt, minimum=version, maximum=version)
            self.assertEqual(https_get(self.port, "/-/healthy", ctx)[0], 200, version)

    def test_repeated_scrapes_are_fast_after_the_first_bcrypt_check(self):
        https_get(self.port, "/metrics", self.ctx, auth=("alice", "alice-secret"))
        start = time.monotonic()
        for _ in range(20):
            self.assertEqual(https_get(self.port, "/metrics", self.ctx, auth=("alice", "alice-secret"))[0], 200)
        per_scrape = (time.monotonic() - start) / 20
        print("https+basic-auth scrape (new TLS connection each): %.1f ms" % (per_scrape * 1000))
        self.assertLess(per_scrape, 0.5)

    def test_real_prometheus_scrapes_over_https_with_basic_auth(self):
        prometheus = shutil.which("prometheus")
        if prometheus is None:
            if os.environ.get("CI"):
                self.fail("prometheus is not installed (packaging/install-deps.sh installs it)")
            self.skipTest("prometheus not installed")
        storage = tempfile.mkdtemp(prefix="hostwatch-prom-", dir=self.tmp.path)
        config = self.tmp.write("prometheus.yml", """
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: hostwatch
    scheme: https
    tls_config: {ca_file: %s, server_name: localhost}
    basic_auth: {username: alice, password: alice-secret}
    static_configs: [{targets: ['127.0.0.1:%d']}]
  - job_name: hostwatch_wrong_password
    scheme: https
    tls_config: {ca_file: %s, server_name: localhost}
    basic_auth: {username: alice, password: nope}
    static_configs: [{targets: ['127.0.0.1:%d']}]
""" % (self.pki.ca_crt, self.port, self.pki.ca_crt, self.port))
        prom_port = free_port()
        proc = Process([prometheus, "--config.file=" + config, "--storage.tsdb.path=" + storage,
                        "--web.listen-address=127.0.0.1:%d" % prom_port], stop_timeout=15)
        try:
            up = {}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(up) < 2:
                time.sleep(0.5)
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/query?query=up" % prom_port,
                                                timeout=5) as r:
                        result = json.load(r)["data"]["result"]
                except OSError:
                    continue
                up = {s["metric"]["job"]: s["value"][1] for s in result}
            self.assertEqual(up.get("hostwatch"), "1", up)
            self.assertEqual(up.get("hostwatch_wrong_password"), "0", up)
        finally:
            proc.stop()


class ClientCertificateTest(unittest.TestCase):
    """RequireAndVerifyClientCert with TLS 1.3 as the minimum."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        cls.server_pki = Pki(cls.tmp.path, "server")
        cls.client_pki = Pki(cls.tmp.path, "clients")
        cls.rogue_pki = Pki(cls.tmp.path, "rogue")
        crt, key = cls.server_pki.issue("localhost")
        cls.good_client = cls.client_pki.issue("prometheus", server=False)
        cls.rogue_client = cls.rogue_pki.issue("prometheus", server=False)
        web = cls.tmp.write("web.yml", """
tls_server_config:
  cert_file: %s
  key_file: %s
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: %s
  min_version: TLS13
""" % (crt, key, cls.client_pki.ca_crt))
        cls.agent = Agent("--web.config.file=" + web)

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.tmp.cleanup()

    def get(self, cert, **kw):
        return https_get(self.agent.port, "/metrics", client_context(self.server_pki.ca_crt, cert=cert, **kw))

    def test_certificate_from_client_ca_is_accepted(self):
        status, _, body = self.get(self.good_client)
        self.assertEqual(status, 200)
        self.assertIn(b"hostwatch_build_info", body)

    def test_missing_or_foreign_certificate_is_rejected(self):
        for cert in (None, self.rogue_client):
            with self.assertRaises((ssl.SSLError, urllib.error.URLError, ConnectionResetError)):
                status, _, _ = self.get(cert)
                self.fail("got HTTP %d without a valid client certificate" % status)

    def test_min_version_tls13_refuses_tls12(self):
        with self.assertRaises((ssl.SSLError, urllib.error.URLError)) as cm:
            self.get(self.good_client, maximum=ssl.TLSVersion.TLSv1_2)
        self.assertIn("PROTOCOL_VERSION", str(cm.exception).upper())


class ReloadTest(unittest.TestCase):
    def test_new_certificate_and_users_apply_without_restart_and_bad_file_keeps_old(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        first = Pki(tmp.path, "first")
        second = Pki(tmp.path, "second")
        crt, key = first.issue("localhost")
        live_crt, live_key = os.path.join(tmp.path, "live.crt"), os.path.join(tmp.path, "live.key")
        shutil.copy(crt, live_crt)
        shutil.copy(key, live_key)
        web_text = "tls_server_config: {cert_file: live.crt, key_file: live.key}\nbasic_auth_users: {u: '%s'}\n"
        web = tmp.write("web.yml", web_text % bcrypt_hash("one"))
        with Agent("--web.config.file=" + web) as agent:
            port = agent.port
            self.assertEqual(https_get(port, "/metrics", client_context(first.ca_crt), auth=("u", "one"))[0], 200)

            # Renewal: a certificate from another CA replaces the files in place.
            new_crt, new_key = second.issue("localhost")
            with open(new_crt) as c, open(new_key) as k:
                write(live_key, k.read())
                write(live_crt, c.read())
            self.wait_until(lambda: self.handshake_ok(port, second.ca_crt), "new certificate served")
            self.assertFalse(self.handshake_ok(port, first.ca_crt))
            # Also to clients that send SNI (CivetWeb's SNI callback must not bring back the old one).
            self.assertTrue(self.handshake_ok(port, second.ca_crt, server_name="localhost"))
            self.assertFalse(self.handshake_ok(port, first.ca_crt, server_name="localhost"))

            # A changed password applies too.
            write(web, web_text % bcrypt_hash("two"))
            ctx = client_context(second.ca_crt)
            self.wait_until(lambda: https_get(port, "/metrics", ctx, auth=("u", "two"))[0] == 200, "new password")
            self.assertEqual(https_get(port, "/metrics", ctx, auth=("u", "one"))[0], 401)

            # So does a new protocol floor (set on each connection at ClientHello time).
            write(web, (web_text % bcrypt_hash("two")).replace("key_file: live.key}", "key_file: live.key, "
                                                                "min_version: TLS13}"))
            tls12 = client_context(second.ca_crt, maximum=ssl.TLSVersion.TLSv1_2)

            def tls12_refused():
                try:
                    https_get(port, "/-/healthy", tls12)
                    return False
                except (ssl.SSLError, urllib.error.URLError) as e:
                    return "PROTOCOL_VERSION" in str(e).upper()
            self.wait_until(tls12_refused, "TLS 1.2 refused after min_version: TLS13")
            self.assertEqual(https_get(port, "/metrics", ctx, auth=("u", "two"))[0], 200)

            # A broken file is logged and the previous configuration stays in force.
            write(web, "tls_server_config: {cert_file: live.crt}\n")
            # The file is looked at (at most once a second) when connections arrive.
            self.wait_until(lambda: https_get(port, "/-/healthy", ctx)[0] == 200 and "web config reload failed" in
                            agent.log(), "reload failure logged")
            self.assertIn("missing key_file", agent.log())
            self.assertEqual(https_get(port, "/metrics", ctx, auth=("u", "two"))[0], 200)
            self.assertEqual(https_get(port, "/metrics", ctx)[0], 401)

    @staticmethod
    def handshake_ok(port, ca, server_name=None):
        """TLS handshake to 127.0.0.1:port verified against ca; with server_name, sends it as SNI."""
        ctx = client_context(ca)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname=server_name or "127.0.0.1") as tls:
                    return tls.version() is not None
        except (ssl.SSLError, OSError):
            return False

    def wait_until(self, predicate, what, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.2)
        self.fail("timed out waiting for: " + what)


class StartupValidationTest(unittest.TestCase):
    def test_bad_web_config_at_start_exits_2_with_reason(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        cases = {
            "unknown key": "tls_server_config: {cert_file: a.crt, key_file: a.key, colour: blue}\n",
            "cert_file": "tls_server_config: {cert_file: missing.crt, key_file: missing.key}\n",
            "bcrypt": "basic_auth_users: {alice: plaintext}\n",
        }
        for reason, text in cases.items():
            web = tmp.write("web.yml", text)
            res = run_agent("--web.listen-address=127.0.0.1:0", "--web.config.file=" + web)
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn(reason, res.stderr)
            self.assertIn("web.yml", res.stderr)
        res = run_agent("--web.config.file=" + os.path.join(tmp.path, "absent.yml"), "--config.check")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("absent.yml", res.stderr)


class ListenAddressTest(unittest.TestCase):
    def test_ipv6_loopback_and_dual_stack_listeners(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6 in this Python")
        try:
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
        except OSError:
            self.skipTest("no IPv6 loopback on this machine")
        with Agent("--web.listen-address=[::1]:0", "--web.listen-address=:0", listen=None) as agent:
            v6_only, dual = bound_ports(agent)
            self.assertEqual(http_get("::1", v6_only, "/-/healthy"), 200)
            with self.assertRaises(OSError):
                http_get("127.0.0.1", v6_only, "/-/healthy", timeout=2)
            # ":port" means every address of both families, as in node_exporter.
            self.assertEqual(http_get("127.0.0.1", dual, "/-/healthy"), 200)
            self.assertEqual(http_get("::1", dual, "/-/healthy"), 200)


if __name__ == "__main__":
    unittest.main()
