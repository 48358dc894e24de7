"""tcp checks end to end (the `modules:` + `checks:` sections, blackbox's tcp prober): the real agent
probes real peers this test starts on 127.0.0.1: an SSH-style banner server, an SMTP-like server
with STARTTLS (certificates made with openssl at test time), an IRC-style server that checks the
PONG filled in from the expect's submatch, a silent peer that accepts and never writes, and a closed
port. Asserts the series and failure reasons, that the silent peer fails at the timeout while the
other checks keep running, and, side by side with Debian's prometheus-blackbox-exporter run on the
same modules and targets, that the metric names and probe_success / probe_failed_due_to_regex /
probe_ip_protocol are equal."""
import os
import re
import shutil
import ssl
import unittest
import urllib.parse

from hostwatch_testutil import TempDir, check_metrics_with_promtool, free_port, parse_samples, require_binary
from line_server import LineServer
from module_checks import ModuleChecksMixin, blackbox_installed
from test_http_checks import GOOD_NOT_AFTER, asn1_to_unix, make_certs

BANNER = [("send", b"SSH-2.0-OpenSSH_9.2p1 hostwatch-test\r\n"), ("read",)]
SMTP = [("send", b"220 mail.test ESMTP ready\r\n"), ("read",),
        ("send", b"250-mail.test\r\n250-STARTTLS\r\n250 OK\r\n"), ("read",),
        ("send", b"220 2.0.0 Ready to start TLS\r\n"), ("starttls",),
        ("read",), ("send", b"250-mail.test\r\n250-AUTH PLAIN\r\n250 OK\r\n"), ("read",), ("send", b"221 bye\r\n")]
IRC = [("read",), ("read",), ("send", b"PING :tok3n-42\r\n"), ("read",), ("send", b":irc.test 001 prober :hi\r\n")]
SILENT = [("hold",)]


def modules(ca_file):
    """Modules as blackbox's example config spells them (the SMTP one trusts the test CA)."""
    return {
        "tcp_connect": {"prober": "tcp", "timeout": "1s"},
        "tcp_connect_v4": {"prober": "tcp", "timeout": "1s", "tcp": {"preferred_ip_protocol": "ip4"}},
        "ssh_banner": {"prober": "tcp", "timeout": "1s", "tcp": {"query_response": [
            {"expect": "^SSH-2.0-"}, {"send": "SSH-2.0-blackbox-ssh-check"}]}},
        "smtp_starttls": {"prober": "tcp", "timeout": "2s", "tcp": {
            "tls_config": {"ca_file": ca_file, "server_name": "localhost"},
            "query_response": [
                {"expect": "^220 ([^ ]+) ESMTP (.+)$"}, {"send": "EHLO prober\r"}, {"expect": "^250-STARTTLS"},
                {"send": "STARTTLS\r"}, {"expect": "^220"}, {"starttls": True}, {"send": "EHLO prober\r"},
                {"expect": "^250-AUTH"}, {"send": "QUIT\r"}]}},
        "irc_banner": {"prober": "tcp", "timeout": "1s", "tcp": {"query_response": [
            {"send": "NICK prober"}, {"send": "USER prober prober prober :prober"},
            {"expect": "PING :([^ ]+)", "send": "PONG ${1}"}, {"expect": "^:[^ ]+ 001"}]}},
        "ssh_wrong_banner": {"prober": "tcp", "timeout": "1s", "tcp": {"query_response": [{"expect": "^SSH-1.99-"}]}},
        # blackbox 0.25+: labels filled from the expect's match make probe_expect_info (0.23 lacks them).
        "ssh_labels": {"prober": "tcp", "timeout": "1s", "tcp": {"query_response": [
            {"expect": "^SSH-2.0-([^ -]+)(?: (.*))?$", "labels": [{"name": "ssh_version", "value": "${1}"},
                                                                 {"name": "ssh_comments", "value": "${2}"}]},
            {"send": "SSH-2.0-blackbox-ssh-check"}]}},
    }


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make test certificates")
class TcpChecksTest(ModuleChecksMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        make_certs(cls.tmp.path)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(os.path.join(cls.tmp.path, "good.pem"), os.path.join(cls.tmp.path, "leaf.key"))
        cls.banner = LineServer(BANNER)
        cls.banner_then_close = LineServer(BANNER[:1])  # closes after its banner: no more lines will come
        cls.smtp = LineServer(SMTP, ssl_context=ctx)
        cls.irc = LineServer(IRC)
        cls.silent = LineServer(SILENT)
        a = lambda s: "127.0.0.1:%d" % s.port  # noqa: E731
        cls.t = {"banner": a(cls.banner), "smtp": a(cls.smtp), "irc": a(cls.irc), "silent": a(cls.silent),
                 "closed": "127.0.0.1:%d" % free_port(), "localhost_banner": "localhost:%d" % cls.banner.port,
                 "banner_then_close": a(cls.banner_then_close)}
        cls.modules = modules(os.path.join(cls.tmp.path, "ca.pem"))
        cls.pairs = [("ssh_banner", cls.t["banner"]), ("ssh_banner", cls.t["silent"]),
                     ("tcp_connect", cls.t["banner"]), ("tcp_connect", cls.t["closed"]),
                     ("tcp_connect_v4", cls.t["localhost_banner"]), ("smtp_starttls", cls.t["smtp"]),
                     ("irc_banner", cls.t["irc"]), ("ssh_wrong_banner", cls.t["banner_then_close"]),
                     ("ssh_labels", cls.t["banner"]), ("ssh_labels", cls.t["banner_then_close"])]
        cls.start_agent("tcp")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        for name in ["banner", "banner_then_close", "smtp", "irc", "silent"]:
            if hasattr(cls, name):
                getattr(cls, name).stop()
        cls.tmp.cleanup()

    def test_banner_and_connect_succeed(self):
        for module, target in [("ssh_banner", self.t["banner"]), ("tcp_connect", self.t["banner"]),
                               ("tcp_connect_v4", self.t["localhost_banner"])]:
            with self.subTest(module=module, target=target):
                self.assertEqual(self.value("probe_success", module, target), 1)
                self.assertEqual(self.value("probe_ip_protocol", module, target), 4)
                self.assertEqual(self.value("probe_failed_due_to_regex", module, target), 0)
                self.assertGreater(self.value("probe_ip_addr_hash", module, target), 0)
        # The banner server read what ssh_banner sent after the banner matched.
        self.assertIn("SSH-2.0-blackbox-ssh-check", self.banner.received())

    def test_starttls_dialogue_reports_the_certificate(self):
        m, t = "smtp_starttls", self.t["smtp"]
        self.assertEqual(self.value("probe_success", m, t), 1, self.text)
        self.assertEqual(self.value("probe_ssl_earliest_cert_expiry", m, t), asn1_to_unix(GOOD_NOT_AFTER))
        self.assertEqual(self.value("probe_ssl_last_chain_expiry_timestamp_seconds", m, t), asn1_to_unix(GOOD_NOT_AFTER))
        # What came before the upgrade in plain text and after it over TLS, in order.
        self.assertEqual(self.smtp.received()[:4], ["EHLO prober", "STARTTLS", "EHLO prober", "QUIT"])
        # blackbox 0.26+ labels the leaf with its serial number (openssl ca's 1000, hex, in Go's "%x" of its
        # bytes); its tcp prober has no probe_tls_cipher_info (0.28's query_response.go registers none).
        info = [k for k in self.samples if k.startswith('probe_ssl_last_chain_info{check="%s",' % m)]
        self.assertEqual(len(info), 1, info)
        self.assertIn('serialnumber="1000"', info[0])
        self.assertFalse([k for k in self.samples if k.startswith('probe_tls_cipher_info{check="%s",' % m)])

    def test_expect_submatch_fills_the_next_send(self):
        self.assertEqual(self.value("probe_success", "irc_banner", self.t["irc"]), 1, self.text)
        self.assertEqual(self.irc.received()[:3], ["NICK prober", "USER prober prober prober :prober", "PONG tok3n-42"])

    def test_expect_labels_show_what_the_banner_said(self):
        m, t = "ssh_labels", self.t["banner"]
        self.assertEqual(self.value("probe_success", m, t), 1, self.text)
        self.assertEqual(self.value("probe_expect_info", m, t, ssh_version="OpenSSH_9.2p1",
                                    ssh_comments="hostwatch-test"), 1, self.text)
        status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode({"module": m, "target": t}))
        self.assertEqual(status, 200, body)
        self.assertIn('probe_expect_info{ssh_comments="hostwatch-test",ssh_version="OpenSSH_9.2p1"} 1',
                      body.decode())
        self.assertIn("# HELP probe_expect_info Explicit content matched", body.decode())
        # The same module on a peer whose banner closes before the send still matched: the labels show.
        self.assertEqual(self.value("probe_expect_info", m, self.t["banner_then_close"], ssh_version="OpenSSH_9.2p1",
                                    ssh_comments="hostwatch-test"), 1, self.text)

    def test_failures_have_their_reasons(self):
        cases = [("ssh_banner", self.t["silent"], "timeout", 0), ("tcp_connect", self.t["closed"], "connect", 0),
                 ("ssh_wrong_banner", self.t["banner_then_close"], "regex", 1)]
        for module, target, reason, regex in cases:
            with self.subTest(module=module, target=target):
                self.assertEqual(self.value("probe_success", module, target), 0)
                self.assertGreaterEqual(self.reason_count(module, target, reason), 1)
                self.assertEqual(self.value("probe_failed_due_to_regex", module, target), regex)

    def test_silent_peer_fails_at_its_timeout_and_others_keep_running(self):
        m, t = "ssh_banner", self.t["silent"]
        self.assertGreaterEqual(self.value("probe_duration_seconds", m, t), 1.0)  # the module's timeout: 1s
        # While the silent peer holds its runs to the timeout, every other check keeps completing runs.
        self.assert_every_check_keeps_running()

    def test_probe_serves_each_target_of_a_module(self):
        for module, target in [("ssh_banner", self.t["banner"]), ("ssh_banner", self.t["silent"])]:
            status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode({"module": module,
                                                                                     "target": target}))
            self.assertEqual(status, 200, body)
            s = parse_samples(body.decode())
            self.assertEqual(s["probe_success"], self.value("probe_success", module, target))
        status, _, body = self.agent.request("/probe?module=ssh_banner&target=127.0.0.1:1")
        self.assertEqual(status, 400, body)  # not scheduled, and ad-hoc probing (probe_targets) is off

    def test_exposition_is_valid(self):
        check_metrics_with_promtool(self, self.text)

    @unittest.skipUnless(blackbox_installed(), "prometheus-blackbox-exporter is not installed")
    def test_same_answers_as_blackbox_exporter(self):
        """Debian's blackbox_exporter on the same modules and targets: the same metric names and the same
        probe_success, probe_failed_due_to_regex and probe_ip_protocol."""
        # The leaf's labels as 0.23 gives them; 0.23 predates the serialnumber label (0.26).
        # ssh_labels uses 0.25's labels, which 0.23 refuses: compared in test_expect_labels_show_what_the_banner_said.
        self.assert_same_as_blackbox(
            ["probe_success", "probe_failed_due_to_regex", "probe_ip_protocol"], skip=("ssh_labels",),
            also=lambda ours, theirs: self.assertEqual(
                {k: v for k, v in chain_info_labels(ours).items() if k != "serialnumber"}, chain_info_labels(theirs)))


def chain_info_labels(samples):
    """The labels of the one probe_ssl_last_chain_info sample, or {} when there is none."""
    for s in samples:
        if s.startswith("probe_ssl_last_chain_info{"):
            return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', s))
    return {}


if __name__ == "__main__":
    unittest.main()
