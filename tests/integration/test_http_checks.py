"""HTTP synthetic checks end to end: the real binary probes real HTTP and HTTPS servers that this
test starts on 127.0.0.1 (certificates made at test time with openssl: a private CA, a valid leaf and
an expired one; one server requires a client certificate). Asserts values, failure reasons, phase
sums, mutual TLS with cert_file/key_file, proxy_url, the /probe output against the series
blackbox_exporter produces for the same case, secrets staying out of every output, and reload."""
import calendar
import gzip
import os
import shutil
import signal
import ssl
import subprocess
import time
import unittest

from hostwatch_testutil import Agent, Reply, TargetServer, TempDir, check_metrics_with_promtool, free_port, parse_samples, require_binary

BODY_OK = b"<html><h1>Welcome to hostwatch</h1></html>\n"
BEARER = "s3cr3t-bearer-token"
HEADER_SECRET = "k3y-header-value"
PASSWORD = "pa55w0rd-secret"
PHASES = ["connect", "processing", "resolve", "tls", "transfer"]
REASONS = ["body_too_large", "connect", "dns", "grpc_status", "http_version", "not_serving", "other", "protocol",
           "redirect_loop", "regex", "ssl_forbidden", "ssl_required", "status_code", "timeout", "tls", "tls_verify"]
GOOD_NOT_AFTER = "20351231000000Z"
EXPIRED_NOT_AFTER = "20210101000000Z"

# What blackbox_exporter 0.28 returns on /probe for a successful plain-HTTP probe without Last-Modified
# (prober/http.go + prober/utils.go + the handler's probe_success/duration/timeout gauges).
BLACKBOX_HTTP_SERIES = sorted(
    ["probe_dns_lookup_time_seconds", "probe_duration_seconds", "probe_failed_due_to_regex",
     "probe_http_content_length", "probe_http_redirects", "probe_http_ssl", "probe_http_status_code",
     "probe_http_uncompressed_body_length", "probe_http_version", "probe_ip_addr_hash", "probe_ip_protocol",
     "probe_success", "probe_timeout_seconds"] +
    ['probe_http_duration_seconds{phase="%s"}' % p for p in PHASES])
# Added for a TLS final response (probe_ssl_last_chain_info only with tls.export_chain_info, off by default).
BLACKBOX_TLS_EXTRA = ["probe_ssl_earliest_cert_expiry", "probe_ssl_last_chain_expiry_timestamp_seconds",
                      "probe_tls_cipher_info", "probe_tls_version_info"]


def gzip_reply(req):
    if "gzip" in req.headers.get("Accept-Encoding", ""):
        return Reply(200, gzip.compress(BODY_OK * 100), [("Content-Encoding", "gzip")])
    return Reply(406, b"gzip only")


def auth_reply(req):
    ok = (req.headers.get("Authorization") == "Bearer " + BEARER and req.headers.get("X-Api-Key") == HEADER_SECRET)
    return Reply(200 if ok else 401, b"auth")


def redirect_reply(req):
    n = int(req.path.rsplit("/", 1)[1])
    return Reply(302, b"", [("Location", "/ok" if n <= 1 else "/redirect/%d" % (n - 1))])


ROUTES = {
    "/ok": Reply(200, BODY_OK, [("Content-Type", "text/html")]),
    "/slow": Reply(200, b"late", delay=2),
    "/redirect/*": redirect_reply,
    "/loop": Reply(302, b"", [("Location", "/loop")]),
    "/huge": Reply(200, b"x" * (2 << 20)),
    "/500": Reply(500, b"boom"),
    "/auth": auth_reply,
    "/gzip": gzip_reply,
    "/lastmod": Reply(200, b"dated", [("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")]),
    "POST *": lambda req: Reply(201 if req.body == b'{"ping":1}' else 400, b"created"),
}
# A forward proxy that answers every request itself; record=True keeps the absolute URL it was asked
# for, so a check that succeeds against a closed port can only have gone through it.
PROXY_ROUTES = {"*": Reply(200, b"answered by the proxy")}


def make_certs(d):
    """A private CA, and a good and an expired leaf for localhost/127.0.0.1 signed by it."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d, timeout=60)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=hostwatch test CA")
    run("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = tca\n[tca]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
                "default_md = sha256\npolicy = pol\nunique_subject = no\nx509_extensions = ext\n"
                "[pol]\ncommonName = supplied\n"
                "[ext]\nsubjectAltName = DNS:localhost,IP:127.0.0.1\nbasicConstraints = CA:FALSE\n")
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    for name, start, end in [("good", "20240101000000Z", GOOD_NOT_AFTER),
                             ("expired", "20200101000000Z", EXPIRED_NOT_AFTER)]:
        run("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "leaf.csr",
            "-out", name + ".pem", "-startdate", start, "-enddate", end)


def asn1_to_unix(t):
    return calendar.timegm(time.strptime(t, "%Y%m%d%H%M%SZ"))


def series_names(text):
    """Sorted series of an exposition, with labels other than phase reduced to the bare name."""
    out = []
    for s in parse_samples(text):
        name = s.split("{", 1)[0]
        out.append(s if name == "probe_http_duration_seconds" else name)
    return sorted(out)


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make test certificates")
class HttpChecksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        make_certs(cls.tmp.path)
        p = lambda n: os.path.join(cls.tmp.path, n)  # noqa: E731
        cls.http = TargetServer(ROUTES)
        cls.https = TargetServer(ROUTES, cert=p("good.pem"), key=p("leaf.key"))
        cls.expired = TargetServer(ROUTES, cert=p("expired.pem"), key=p("leaf.key"))
        cls.mtls = TargetServer(ROUTES, cert=p("good.pem"), key=p("leaf.key"), client_ca=p("ca.pem"))
        # TLS 1.2 with only TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 (0xC024): OpenSSL has it, Go's crypto/tls does not.
        go_unknown = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        go_unknown.load_cert_chain(p("good.pem"), p("leaf.key"))
        go_unknown.maximum_version = ssl.TLSVersion.TLSv1_2
        go_unknown.set_ciphers("ECDHE-ECDSA-AES256-SHA384")
        cls.go_unknown = TargetServer(ROUTES, ssl_context=go_unknown)
        cls.proxy = TargetServer(PROXY_ROUTES, record=True)
        h = "http://127.0.0.1:%d" % cls.http.port
        cls.refused_url = "http://127.0.0.1:%d/" % free_port()
        cls.checks = {
            "ok": {"url": h + "/ok", "fail_if_body_not_matches_regexp": ["Welcome"]},
            "regex_fail": {"url": h + "/ok", "fail_if_body_not_matches_regexp": ["Goodbye"]},
            "slow": {"url": h + "/slow", "timeout": "500ms"},
            "chain": {"url": h + "/redirect/3"},
            "loop": {"url": h + "/loop"},
            "huge": {"url": h + "/huge", "body_size_limit": "1KiB"},
            "huge_ok": {"url": h + "/huge"},
            "err500": {"url": h + "/500"},
            "refused": {"url": cls.refused_url},
            "via_proxy": {"url": cls.refused_url + "through-proxy",
                          "proxy_url": "http://127.0.0.1:%d" % cls.proxy.port,
                          "fail_if_body_not_matches_regexp": ["answered by the proxy"]},
            "nxdomain": {"url": "http://hostwatch-test.invalid/"},
            "auth": {"url": "http://user:%s@127.0.0.1:%d/auth" % (PASSWORD, cls.http.port), "bearer_token": BEARER,
                     "headers": {"X-Api-Key": HEADER_SECRET}},
            "lastmod": {"url": h + "/lastmod"},
            "post": {"url": h + "/post", "method": "POST", "body": '{"ping":1}', "valid_status_codes": [201]},
            "gzip": {"url": h + "/gzip", "compression": "gzip", "body_size_limit": str(len(BODY_OK) * 100),
                     "fail_if_body_not_matches_regexp": ["Welcome to hostwatch"]},
            "gzip_limit": {"url": h + "/gzip", "compression": "gzip", "body_size_limit": "1KiB"},
            "https_ok": {"url": "https://localhost:%d/ok" % cls.https.port, "tls": {"ca_file": p("ca.pem")},
                         "fail_if_not_ssl": True},
            "https_chain_info": {"url": "https://localhost:%d/ok" % cls.https.port,
                                 "tls": {"ca_file": p("ca.pem"), "export_chain_info": True}},
            "https_untrusted": {"url": "https://localhost:%d/ok" % cls.https.port},
            "https_go_unknown_cipher": {"url": "https://localhost:%d/ok" % cls.go_unknown.port,
                                        "tls": {"ca_file": p("ca.pem")}},
            "https_expired": {"url": "https://localhost:%d/ok" % cls.expired.port, "tls": {"ca_file": p("ca.pem")}},
            # server_name sets SNI and the verified name; the connection still goes to the URL's host,
            # and relative redirects stay on it.
            "https_server_name": {"url": "https://127.0.0.1:%d/redirect/2" % cls.https.port,
                                  "tls": {"ca_file": p("ca.pem"), "server_name": "localhost"}},
            "https_wrong_name": {"url": "https://localhost:%d/ok" % cls.https.port,
                                 "tls": {"ca_file": p("ca.pem"), "server_name": "wrong.example"}},
            "https_insecure": {"url": "https://localhost:%d/ok" % cls.expired.port,
                               "tls": {"insecure_skip_verify": True}},
            # Mutual TLS; the test CA's leaf (no key-usage limits) doubles as the client certificate.
            "https_client_cert": {"url": "https://localhost:%d/ok" % cls.mtls.port,
                                  "tls": {"ca_file": p("ca.pem"), "cert_file": p("good.pem"),
                                          "key_file": p("leaf.key")}},
            "https_no_client_cert": {"url": "https://localhost:%d/ok" % cls.mtls.port,
                                     "tls": {"ca_file": p("ca.pem")}},
        }
        cls.config_path = cls.tmp.write("hostwatch.yml", cls.render_config(cls.checks))
        cls.agent = Agent("--config.file=" + cls.config_path, "--web.enable-lifecycle", "--log.level=debug")
        cls.text = cls.wait_for_all_checks(set(cls.checks))
        cls.samples = parse_samples(cls.text)

    @classmethod
    def render_config(cls, checks):
        import json  # JSON is YAML: no third-party YAML writer needed
        out = {"http_checks": {"defaults": {"interval": "1s", "timeout": "900ms"}, "max_concurrency": 8,
                               "checks": [dict({"name": n}, **c) for n, c in sorted(checks.items())]}}
        return json.dumps(out, indent=1)

    @classmethod
    def wait_for_all_checks(cls, names, limit=15):
        deadline = time.time() + limit
        text = ""
        while time.time() < deadline:
            text = cls.agent.metrics()
            s = parse_samples(text)
            if all(any(k.startswith('probe_success{check="%s"' % n) for k in s) for n in names):
                return text
            time.sleep(0.2)
        raise AssertionError("checks did not all run within %ss:\n%s" % (limit, text))

    @classmethod
    def tearDownClass(cls):
        agent = getattr(cls, "agent", None)
        if agent:
            agent.stop()
        for name in ["http", "https", "expired", "mtls", "proxy", "go_unknown"]:
            if hasattr(cls, name):
                getattr(cls, name).stop()
        cls.tmp.cleanup()

    def labels(self, check):
        return 'check="%s",target="%s"' % (check, self.target(check))

    def target(self, check):
        return self.checks[check]["url"].replace(PASSWORD, "xxxxx")

    def value(self, metric, check, extra=None):
        if extra:
            key = "%s{check=\"%s\",%s,target=\"%s\"}" % (metric, check, extra, self.target(check))
        else:
            key = "%s{%s}" % (metric, self.labels(check))
        if key not in self.samples:
            self.fail("missing %s" % key)
        return self.samples[key]

    def failures(self, check):
        return {r: self.samples['hostwatch_check_failures_total{check="%s",reason="%s"}' % (check, r)]
                for r in REASONS}

    def assert_failed_with(self, check, reason):
        self.assertEqual(self.value("probe_success", check), 0, check)
        f = self.failures(check)
        self.assertGreaterEqual(f[reason], 1, (check, f))
        self.assertEqual([r for r, v in f.items() if v and r != reason], [], (check, f))
        self.assertGreaterEqual(self.samples['hostwatch_check_consecutive_failures{check="%s"}' % check], 1)

    def assert_phases_sum_to_duration(self, check):
        total = self.value("probe_duration_seconds", check)
        phases = sum(self.value("probe_http_duration_seconds", check, 'phase="%s"' % p) for p in PHASES)
        self.assertAlmostEqual(phases, total, delta=1e-9, msg=check)
        return total

    # --- plain HTTP -------------------------------------------------------------------------------

    def test_success_values(self):
        self.assertEqual(self.value("probe_success", "ok"), 1)
        self.assertEqual(self.value("probe_http_status_code", "ok"), 200)
        self.assertEqual(self.value("probe_http_version", "ok"), 1.1)
        self.assertEqual(self.value("probe_http_content_length", "ok"), len(BODY_OK))
        self.assertEqual(self.value("probe_http_uncompressed_body_length", "ok"), len(BODY_OK))
        self.assertEqual(self.value("probe_http_redirects", "ok"), 0)
        self.assertEqual(self.value("probe_http_ssl", "ok"), 0)
        self.assertEqual(self.value("probe_ip_protocol", "ok"), 4)
        self.assertEqual(self.value("probe_failed_due_to_regex", "ok"), 0)
        self.assertEqual(self.value("probe_timeout_seconds", "ok"), 0.9)
        self.assertEqual(self.value("probe_http_duration_seconds", "ok", 'phase="tls"'), 0)
        self.assertGreater(self.value("probe_http_duration_seconds", "ok", 'phase="connect"'), 0)
        self.assertEqual(sum(self.failures("ok").values()), 0)
        self.assertGreater(self.samples['hostwatch_check_last_success_timestamp_seconds{check="ok"}'], 1e9)
        self.assertEqual(self.samples['hostwatch_check_consecutive_failures{check="ok"}'], 0)
        runs = self.value("probe_all_success_count", "ok")
        self.assertEqual(self.value("probe_all_success_sum", "ok"), runs)
        self.assertEqual(self.value("probe_all_duration_seconds_count", "ok"), runs)
        # The writer puts le after the other labels, as Go's client does.
        self.assertEqual(self.samples['probe_all_duration_seconds_bucket{%s,le="+Inf"}' % self.labels("ok")], runs)

    def test_phases_sum_to_duration_for_every_check(self):
        for check in self.checks:
            self.assert_phases_sum_to_duration(check)

    def test_body_regex_fail(self):
        self.assert_failed_with("regex_fail", "regex")
        self.assertEqual(self.value("probe_failed_due_to_regex", "regex_fail"), 1)
        self.assertEqual(self.value("probe_http_status_code", "regex_fail"), 200)

    def test_slow_endpoint_times_out(self):
        self.assert_failed_with("slow", "timeout")
        total = self.assert_phases_sum_to_duration("slow")
        self.assertGreaterEqual(total, 0.45)
        self.assertLess(total, 0.8)
        self.assertEqual(self.value("probe_timeout_seconds", "slow"), 0.5)
        self.assertEqual(self.value("probe_http_status_code", "slow"), 0)
        # No response byte arrived: the time was spent waiting for the server.
        self.assertGreater(self.value("probe_http_duration_seconds", "slow", 'phase="processing"'), 0.4)

    def test_redirect_chain_is_followed_hop_by_hop(self):
        self.assertEqual(self.value("probe_success", "chain"), 1)
        self.assertEqual(self.value("probe_http_redirects", "chain"), 3)
        self.assertEqual(self.value("probe_http_status_code", "chain"), 200)
        self.assertEqual(self.value("probe_http_uncompressed_body_length", "chain"), len(BODY_OK))

    def test_redirect_loop_fails(self):
        self.assert_failed_with("loop", "redirect_loop")
        self.assertEqual(self.value("probe_http_redirects", "loop"), 10)

    def test_body_size_limit(self):
        self.assert_failed_with("huge", "body_too_large")
        self.assertEqual(self.value("probe_success", "huge_ok"), 1)
        self.assertEqual(self.value("probe_http_uncompressed_body_length", "huge_ok"), 2 << 20)

    def test_status_500(self):
        self.assert_failed_with("err500", "status_code")
        self.assertEqual(self.value("probe_http_status_code", "err500"), 500)

    def test_connection_refused(self):
        self.assert_failed_with("refused", "connect")
        self.assertEqual(self.value("probe_http_status_code", "refused"), 0)

    def test_unresolvable_name(self):
        self.assert_failed_with("nxdomain", "dns")
        self.assertEqual(self.value("probe_ip_protocol", "nxdomain"), 0)
        self.assertNotIn('probe_ip_addr_hash{%s}' % self.labels("nxdomain"), self.samples)

    def test_post_with_body(self):
        self.assertEqual(self.value("probe_success", "post"), 1)
        self.assertEqual(self.value("probe_http_status_code", "post"), 201)

    def test_compression_is_decoded_and_limited_after_decoding(self):
        self.assertEqual(self.value("probe_success", "gzip"), 1)
        self.assertEqual(self.value("probe_http_uncompressed_body_length", "gzip"), len(BODY_OK) * 100)
        self.assertLess(self.value("probe_http_content_length", "gzip"), len(BODY_OK) * 100)  # compressed on the wire
        # The compressed body is far below 1 KiB; the decoded one is not.
        self.assert_failed_with("gzip_limit", "body_too_large")

    def test_last_modified(self):
        self.assertEqual(self.value("probe_http_last_modified_timestamp_seconds", "lastmod"), 1445412480)

    # --- HTTPS --------------------------------------------------------------------------------------

    def test_https_with_private_ca(self):
        self.assertEqual(self.value("probe_success", "https_ok"), 1)
        self.assertEqual(self.value("probe_http_ssl", "https_ok"), 1)
        self.assertGreater(self.value("probe_http_duration_seconds", "https_ok", 'phase="tls"'), 0)
        self.assertEqual(self.value("probe_ssl_earliest_cert_expiry", "https_ok"), asn1_to_unix(GOOD_NOT_AFTER))
        self.assertEqual(self.value("probe_ssl_last_chain_expiry_timestamp_seconds", "https_ok"),
                         asn1_to_unix(GOOD_NOT_AFTER))
        versions = [k for k in self.samples if k.startswith('probe_tls_version_info{check="https_ok"')]
        self.assertEqual(len(versions), 1, versions)
        self.assertIn('version="TLS 1.3"', versions[0])
        ciphers = [k for k in self.samples if k.startswith('probe_tls_cipher_info{check="https_ok"')]
        self.assertEqual(len(ciphers), 1)
        # TLS 1.3: one of the three suites Go (and so blackbox 0.26+) names.
        self.assertRegex(ciphers[0], r'cipher="TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)"')

    def test_cipher_go_lacks_is_named_as_go_names_it(self):
        # blackbox 0.26+ labels the suite with Go's tls.CipherSuiteName, which prints a suite crypto/tls does
        # not implement as 0x%04X (Debian's blackbox 0.23 has no probe_tls_cipher_info to compare with, and
        # its Go client could not negotiate this suite at all).
        self.assertEqual(self.value("probe_success", "https_go_unknown_cipher"), 1)
        self.assertEqual(self.value("probe_tls_cipher_info", "https_go_unknown_cipher", 'cipher="0xC024"'), 1)
        self.assertEqual(self.samples.get('probe_tls_version_info{%s,version="TLS 1.2"}'
                                          % self.labels("https_go_unknown_cipher")), 1)

    def test_proxy_url_sends_the_request_through_the_proxy(self):
        # The URL's own port is closed ("refused" fails there): only the proxy can have answered.
        self.assertEqual(self.value("probe_success", "via_proxy"), 1)
        seen = self.proxy.hits()
        self.assertIn(self.refused_url + "through-proxy", seen)

    def test_https_client_certificate_is_presented_when_configured(self):
        self.assertEqual(self.value("probe_success", "https_client_cert"), 1)
        self.assertEqual(self.value("probe_http_status_code", "https_client_cert"), 200)
        # The same server refuses the handshake of a check without cert_file/key_file.
        self.assertEqual(self.value("probe_success", "https_no_client_cert"), 0)
        self.assertEqual(self.value("probe_http_status_code", "https_no_client_cert"), 0)

    def test_https_chain_info_is_opt_in_and_describes_the_leaf(self):
        res = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                              os.path.join(self.tmp.path, "good.pem")], capture_output=True, text=True, check=True)
        fingerprint = res.stdout.strip().split("=", 1)[1].replace(":", "").lower()
        # serialnumber (blackbox 0.26+; 0.23 lacks the label): Go's "%x" of the serial's bytes, here
        # openssl ca's serial 1000 (hex), whose two bytes print as "1000" (see tls_facts_test for the rest).
        res = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", os.path.join(self.tmp.path, "good.pem")],
                             capture_output=True, text=True, check=True)
        serial = res.stdout.strip().split("=", 1)[1].lower()
        self.assertEqual(serial, "1000")
        expected = ('probe_ssl_last_chain_info{check="https_chain_info",fingerprint_sha256="%s",'
                    'issuer="CN=hostwatch test CA",serialnumber="%s",subject="CN=localhost",'
                    'subjectalternative="localhost",target="https://localhost:%d/ok"}'
                    % (fingerprint, serial, self.https.port))
        info = [k for k in self.samples if k.startswith("probe_ssl_last_chain_info{")]
        self.assertEqual(info, [expected], "only the check that opted in has the series")
        self.assertEqual(self.samples[expected], 1)

    def test_https_server_name(self):
        self.assertEqual(self.value("probe_success", "https_server_name"), 1)
        self.assertEqual(self.value("probe_http_redirects", "https_server_name"), 2)
        self.assert_failed_with("https_wrong_name", "tls_verify")

    def test_https_untrusted_ca_fails_verification(self):
        self.assert_failed_with("https_untrusted", "tls_verify")

    def test_https_expired_keeps_expiry(self):
        self.assert_failed_with("https_expired", "tls_verify")
        # blackbox drops the expiry when the handshake fails; we keep the date from the chain sent.
        self.assertEqual(self.value("probe_ssl_earliest_cert_expiry", "https_expired"),
                         asn1_to_unix(EXPIRED_NOT_AFTER))
        self.assertEqual(self.value("probe_ssl_last_chain_expiry_timestamp_seconds", "https_expired"),
                         -62135596800)

    def test_https_insecure_skip_verify(self):
        self.assertEqual(self.value("probe_success", "https_insecure"), 1)
        self.assertEqual(self.value("probe_ssl_earliest_cert_expiry", "https_insecure"),
                         asn1_to_unix(EXPIRED_NOT_AFTER))

    # --- /probe, secrets, exposition ------------------------------------------------------------------

    def test_probe_matches_blackbox_series_for_http(self):
        status, headers, body = self.agent.request("/probe?module=ok")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        text = body.decode()
        self.assertEqual(series_names(text), BLACKBOX_HTTP_SERIES)
        self.assertNotIn("check=", text)
        self.assertNotIn("target=", text)
        self.assertIn("# HELP probe_http_duration_seconds Duration of http request by phase, summed over all "
                      "redirects\n", text)
        self.assertEqual(parse_samples(text)["probe_success"], 1)

    def test_probe_matches_blackbox_series_for_https(self):
        status, _, body = self.agent.request("/probe?module=https_ok")
        self.assertEqual(status, 200)
        self.assertEqual(series_names(body.decode()), sorted(BLACKBOX_HTTP_SERIES + BLACKBOX_TLS_EXTRA))

    def test_probe_errors(self):
        self.assertEqual(self.agent.request("/probe?module=nope")[0], 400)
        self.assertEqual(self.agent.request("/probe")[0], 400)
        self.assertEqual(self.agent.request("/probe?module=ok", method="POST", data=b"")[0], 405)

    def test_probe_debug_has_log_and_no_secrets(self):
        self.assertEqual(self.value("probe_success", "auth"), 1)  # the secrets were sent
        status, _, body = self.agent.request("/probe?module=auth&debug=true")
        self.assertEqual(status, 200)
        text = body.decode()
        self.assertIn("Logs for the probe:", text)
        self.assertIn('msg="Making HTTP request"', text)
        self.assertIn("Metrics that would have been returned:", text)
        log = self.agent.log()
        self.assertRegex(log, r'msg="check failed" check=err500 reason=status_code err="invalid HTTP response status '
                              r'code 500"')
        everything = text + self.agent.metrics() + log
        for secret in [BEARER, HEADER_SECRET, PASSWORD]:
            self.assertNotIn(secret, everything)

    def test_status_page_lists_checks(self):
        status, _, body = self.agent.request("/")
        self.assertEqual(status, 200)
        page = body.decode()
        self.assertIn('id="checks"', page)
        for check in ["ok", "https_expired", "nxdomain"]:
            self.assertIn(">%s<" % check, page)
        self.assertIn("tls_verify", page)  # the last failure reason of https_expired
        for secret in [BEARER, HEADER_SECRET, PASSWORD]:
            self.assertNotIn(secret, page)

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)

    def test_reload_drops_removed_check_and_keeps_others(self):
        before = self.value("probe_all_success_count", "ok")
        remaining = {k: v for k, v in self.checks.items() if k != "lastmod"}
        with open(self.config_path, "w") as f:
            f.write(self.render_config(remaining))
        try:
            self.agent.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            text = self.agent.metrics()
            while 'check="lastmod"' in text and time.time() < deadline:
                time.sleep(0.2)
                text = self.agent.metrics()
            self.assertNotIn('check="lastmod"', text)
            s = parse_samples(text)
            self.assertGreaterEqual(s["probe_all_success_count{%s}" % self.labels("ok")], before)
            self.assertEqual(self.agent.request("/probe?module=lastmod")[0], 400)
        finally:
            with open(self.config_path, "w") as f:
                f.write(self.render_config(self.checks))
            self.agent.proc.send_signal(signal.SIGHUP)


class HttpChecksConfigErrorTest(unittest.TestCase):
    def test_documented_example_is_valid(self):
        require_binary()
        from hostwatch_testutil import SOURCE_DIR, run_agent
        with open(os.path.join(SOURCE_DIR, "docs", "checks.md")) as f:
            doc = f.read()
        example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
        tmp = TempDir()
        try:
            ca = tmp.write("ca.pem", "not parsed at load time\n")
            path = tmp.write("example.yml", example.replace("/etc/ssl/internal-ca.pem", ca))
            res = run_agent("--config.file=" + path, "--config.check", env={"TOKEN": "t", "PW": "p"})
            self.assertEqual(res.returncode, 0, res.stderr)
        finally:
            tmp.cleanup()

    def test_bad_config_exits_2_with_position(self):
        require_binary()
        from hostwatch_testutil import run_agent
        tmp = TempDir()
        try:
            path = tmp.write("bad.yml", "http_checks:\n  checks:\n    - name: a\n      url: http://x/\n"
                                        "      timeout: 2m\n")
            res = run_agent("--config.file=" + path, "--config.check")
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn(path + ":5:16: http_checks.checks[0].timeout: timeout (2m) must be less than interval (1m)",
                          res.stderr)
        finally:
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
