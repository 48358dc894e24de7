"""grpc checks end to end (the `modules:` + `checks:` sections, blackbox's grpc prober): the real agent
calls grpc.health.v1.Health/Check on real gRPC servers this test starts on 127.0.0.1 with Debian's
python3-grpcio (tests/testutil/grpc_health_server.py, run by /usr/bin/python3): one in plaintext (h2c),
one over TLS (certificates made with openssl at test time), both answering from a status file the
test rewrites. Also a silent peer that accepts and never writes, and a closed port. Asserts the
series and failure reasons (NOT_SERVING, an unknown service's NOT_FOUND, connect, tls_verify, a
timeout that ends at the module's timeout while the other checks keep running), a status change
seen by the next runs, and, side by side with Debian's prometheus-blackbox-exporter (0.23) on the
same modules and targets, equal metric names and equal probe_success, probe_grpc_status_code,
probe_grpc_healthcheck_response and probe_ip_protocol."""
import json
import os
import shutil
import unittest
import urllib.parse

from hostwatch_testutil import Process, TempDir, check_metrics_with_promtool, free_port, parse_samples, \
    require_binary, wait_for
from line_server import LineServer
from module_checks import ModuleChecksMixin, blackbox_installed
from test_http_checks import GOOD_NOT_AFTER, asn1_to_unix, make_certs

DEBIAN_PYTHON = "/usr/bin/python3"  # python3-grpcio is Debian's; the python3 on PATH may be another one
SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testutil", "grpc_health_server.py")
SERVING_STATUSES = ["NOT_SERVING", "SERVICE_UNKNOWN", "SERVING", "UNKNOWN"]


def debian_grpcio():
    if not os.path.exists(DEBIAN_PYTHON):
        return False
    return os.system(DEBIAN_PYTHON + " -c 'import grpc' 2>/dev/null") == 0


def modules(ca_file):
    """Modules as a blackbox.yml spells them (blackbox 0.23 reads the same file)."""
    tls = {"tls": True, "tls_config": {"ca_file": ca_file}}
    return {
        "grpc_plain": {"prober": "grpc", "timeout": "2s", "grpc": {"preferred_ip_protocol": "ip4"}},
        # ip6 preferred, falls back to the IPv4 target (blackbox's DefaultGRPCProbe)
        "grpc_default": {"prober": "grpc", "timeout": "2s", "grpc": {"service": ""}},
        # Without a grpc: section blackbox applies none of its defaults: no fallback, so no address.
        "grpc_no_section": {"prober": "grpc", "timeout": "2s"},
        "grpc_billing": {"prober": "grpc", "timeout": "2s", "grpc": {"service": "billing"}},
        # blackbox 0.28's metadata key (0.23 does not know it)
        "grpc_metadata": {"prober": "grpc", "timeout": "2s",
                          "grpc": {"service": "billing", "metadata": {"X-Team": ["infra", "db"]}}},
        "grpc_down": {"prober": "grpc", "timeout": "2s", "grpc": {"service": "down"}},
        "grpc_flip": {"prober": "grpc", "timeout": "2s", "grpc": {"service": "flip"}},
        "grpc_unknown": {"prober": "grpc", "timeout": "2s", "grpc": {"service": "nosuch"}},
        "grpc_tls": {"prober": "grpc", "timeout": "2s", "grpc": tls},
        "grpc_tls_untrusted": {"prober": "grpc", "timeout": "2s", "grpc": {"tls": True}},
        "grpc_silent": {"prober": "grpc", "timeout": "1s", "grpc": {"preferred_ip_protocol": "ip4"}},
    }


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make test certificates")
@unittest.skipUnless(debian_grpcio(), "Debian's python3-grpcio is needed for the gRPC server")
class GrpcChecksTest(ModuleChecksMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        try:
            cls.start()
        except BaseException:
            cls.tearDownClass()  # unittest does not call it when setUpClass fails: stop the servers started
            raise

    @classmethod
    def start(cls):
        cls.tmp = TempDir()
        make_certs(cls.tmp.path)
        cls.status_file = os.path.join(cls.tmp.path, "status.json")
        cls.set_status({"": "SERVING", "billing": "SERVING", "down": "NOT_SERVING", "flip": "SERVING"})
        cls.plain = cls.start_server()
        cls.tls = cls.start_server("--cert", os.path.join(cls.tmp.path, "good.pem"),
                                   "--key", os.path.join(cls.tmp.path, "leaf.key"))
        cls.silent = LineServer([("hold",)])
        cls.t = {"plain": "127.0.0.1:%d" % cls.plain.port, "tls": "127.0.0.1:%d" % cls.tls.port,
                 "silent": "127.0.0.1:%d" % cls.silent.port, "closed": "127.0.0.1:%d" % free_port()}
        cls.modules = modules(os.path.join(cls.tmp.path, "ca.pem"))
        p, t = cls.t["plain"], cls.t["tls"]
        cls.pairs = [("grpc_plain", p), ("grpc_default", p), ("grpc_billing", p), ("grpc_down", p),
                     ("grpc_flip", p), ("grpc_unknown", p), ("grpc_tls", t), ("grpc_tls_untrusted", t),
                     ("grpc_plain", cls.t["closed"]), ("grpc_silent", cls.t["silent"]), ("grpc_no_section", p),
                     ("grpc_metadata", p)]
        cls.start_agent("grpc")

    @classmethod
    def start_server(cls, *extra):
        return Process.on_free_port(
            lambda port: [DEBIAN_PYTHON, SERVER, "--port", str(port), "--status-file", cls.status_file] + list(extra),
            name="grpc_health_server", ready_line=lambda line: line.startswith("serving on"))

    @classmethod
    def set_status(cls, statuses):
        tmp = cls.status_file + ".new"
        with open(tmp, "w") as f:
            json.dump(statuses, f)
        os.replace(tmp, cls.status_file)  # the server reads it whole on every call

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        for name in ["plain", "tls", "silent"]:
            if hasattr(cls, name):
                getattr(cls, name).stop()
        if hasattr(cls, "tmp"):
            cls.tmp.cleanup()

    def serving(self, module, target, samples=None):
        """{serving_status: value} of probe_grpc_healthcheck_response."""
        s = self.samples if samples is None else samples
        return {st: s.get(self.key("probe_grpc_healthcheck_response", module, target, serving_status=st))
                for st in SERVING_STATUSES}

    def test_serving_services_succeed(self):
        for module, target, ssl in [("grpc_plain", self.t["plain"], 0), ("grpc_default", self.t["plain"], 0),
                                    ("grpc_billing", self.t["plain"], 0), ("grpc_tls", self.t["tls"], 1)]:
            with self.subTest(module=module):
                self.assertEqual(self.value("probe_success", module, target), 1, self.text)
                self.assertEqual(self.value("probe_grpc_status_code", module, target), 0)
                self.assertEqual(self.serving(module, target),
                                 {"SERVING": 1, "NOT_SERVING": 0, "SERVICE_UNKNOWN": 0, "UNKNOWN": 0})
                self.assertEqual(self.value("probe_grpc_ssl", module, target), ssl)
                self.assertEqual(self.value("probe_ip_protocol", module, target), 4)
                self.assertGreater(self.value("probe_ip_addr_hash", module, target), 0)
                self.assertGreater(self.value("probe_grpc_duration_seconds", module, target, phase="check"), 0)

    def test_metadata_is_sent_with_the_call(self):
        self.assertEqual(self.value("probe_success", "grpc_metadata", self.t["plain"]), 1)
        lines = self.plain.log().splitlines()
        self.assertIn("metadata x-team=infra", lines)
        self.assertIn("metadata x-team=db", lines)

    def test_tls_reports_the_certificate(self):
        m, t = "grpc_tls", self.t["tls"]
        self.assertEqual(self.value("probe_ssl_earliest_cert_expiry", m, t), asn1_to_unix(GOOD_NOT_AFTER))
        versions = [s for s in self.samples if s.startswith("probe_tls_version_info{") and 'check="grpc_tls"' in s]
        self.assertEqual(len(versions), 1, versions)
        self.assertIn('version="TLS 1.', versions[0])
        # Plaintext has no TLS series at all (blackbox 0.28 registers them only for an answered TLS call).
        self.assertIsNone(self.value("probe_ssl_earliest_cert_expiry", "grpc_plain", self.t["plain"]))

    def test_failures_have_their_reasons_and_codes(self):
        # (module, target, reason, probe_grpc_status_code, serving status received)
        cases = [("grpc_down", self.t["plain"], "not_serving", 0, "NOT_SERVING"),
                 ("grpc_unknown", self.t["plain"], "grpc_status", 5, None),  # NOT_FOUND
                 ("grpc_plain", self.t["closed"], "connect", 14, None),  # UNAVAILABLE
                 ("grpc_tls_untrusted", self.t["tls"], "tls_verify", 14, None),
                 ("grpc_silent", self.t["silent"], "timeout", 4, None)]  # DEADLINE_EXCEEDED
        for module, target, reason, code, got in cases:
            with self.subTest(module=module, target=target):
                self.assertEqual(self.value("probe_success", module, target), 0)
                self.assertGreaterEqual(self.reason_count(module, target, reason), 1, self.text)
                self.assertEqual(self.value("probe_grpc_status_code", module, target), code)
                self.assertEqual(self.serving(module, target), {s: int(s == got) for s in SERVING_STATUSES})
                self.assertEqual(self.value("probe_grpc_ssl", module, target), 0)

    def test_a_module_without_grpc_section_has_no_fallback_as_in_blackbox(self):
        m, t = "grpc_no_section", self.t["plain"]
        self.assertEqual(self.value("probe_success", m, t), 0)
        self.assertGreaterEqual(self.reason_count(m, t, "dns"), 1)
        self.assertEqual(self.value("probe_ip_protocol", m, t), 0)
        self.assertEqual(self.value("probe_ip_addr_hash", m, t), 0)
        # No call was made: only the resolve phase, and no serving status series.
        self.assertIsNone(self.value("probe_grpc_duration_seconds", m, t, phase="check"))
        self.assertEqual(self.serving(m, t), {s: None for s in SERVING_STATUSES})

    def test_silent_peer_fails_at_its_timeout_and_others_keep_running(self):
        m, t = "grpc_silent", self.t["silent"]
        # The module's timeout is 1 s; libcurl's timer has millisecond resolution and may fire a hair early.
        self.assertGreaterEqual(self.value("probe_duration_seconds", m, t), 0.95)
        # While the silent peer holds its runs to the timeout, every other check keeps completing runs.
        self.assert_every_check_keeps_running()

    def test_a_changed_serving_status_is_seen_by_the_next_runs(self):
        m, t = "grpc_flip", self.t["plain"]
        self.assertEqual(self.value("probe_success", m, t), 1)
        base = {"": "SERVING", "billing": "SERVING", "down": "NOT_SERVING"}
        try:
            self.set_status(dict(base, flip="NOT_SERVING"))
            s = wait_for(lambda: (lambda s: s if s.get(self.key("probe_success", m, t)) == 0 else None)(
                parse_samples(self.agent.metrics())), timeout=15)
            self.assertIsNotNone(s, "the check did not see NOT_SERVING")
            self.assertEqual(self.serving(m, t, s)["NOT_SERVING"], 1)
        finally:
            self.set_status(dict(base, flip="SERVING"))
        back = wait_for(lambda: parse_samples(self.agent.metrics()).get(self.key("probe_success", m, t)) == 1,
                        timeout=15)
        self.assertTrue(back, "the check did not see SERVING again")

    def test_probe_serves_each_target_of_a_module(self):
        for module, target in [("grpc_plain", self.t["plain"]), ("grpc_plain", self.t["closed"])]:
            status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode({"module": module,
                                                                                     "target": target}))
            self.assertEqual(status, 200, body)
            s = parse_samples(body.decode())
            self.assertEqual(s["probe_success"], self.value("probe_success", module, target))
            self.assertIn("probe_grpc_status_code", s)

    def test_exposition_is_valid(self):
        check_metrics_with_promtool(self, self.text)

    @unittest.skipUnless(blackbox_installed(), "prometheus-blackbox-exporter is not installed")
    def test_same_answers_as_blackbox_exporter(self):
        """Debian's blackbox_exporter 0.23 on the same modules and targets: the same metric names and the
        same probe_success, probe_grpc_status_code, probe_grpc_healthcheck_response and probe_ip_protocol.
        A difference with 0.23 that 0.28 (which hostwatch follows) made: 0.23 registers
        probe_ssl_earliest_cert_expiry on every run (0 without an answered TLS call), 0.28 only with one.
        And one of hostwatch's own: probe_ssl_last_chain_info only with tls_config.export_chain_info (its
        labels start a new series on every certificate renewal), a key blackbox does not have.
        Not compared: the silent peer (blackbox's call has no deadline, so it waits past any scrape), the
        flip module (its status changes under test_a_changed_serving_status_is_seen_by_the_next_runs), and
        the metadata module (0.23 has no metadata key)."""
        self.assert_same_as_blackbox(
            ["probe_success", "probe_grpc_status_code", "probe_ip_protocol"] +
            ['probe_grpc_healthcheck_response{serving_status="%s"}' % s for s in SERVING_STATUSES],
            skip=("grpc_silent", "grpc_flip", "grpc_metadata"),
            only_theirs=("probe_ssl_earliest_cert_expiry", "probe_ssl_last_chain_info"))


if __name__ == "__main__":
    unittest.main()
