"""dns checks end to end (the `modules:` + `checks:` sections, blackbox's dns prober): the real agent
queries a real dnsmasq this test starts on a free 127.0.0.1 port with a small local zone (A, MX, TXT
records; any other name under test. is NXDOMAIN), over UDP, TCP, and TLS through a small DNS-over-TLS
relay in front of dnsmasq's TCP port (certificates made with openssl at test time), plus a UDP port
that is bound but never read, and a closed UDP port. Asserts the series and the failure reasons, that the silent port fails
with reason timeout at the module's timeout while the other checks keep running, and, side by side
with Debian's prometheus-blackbox-exporter on the same modules and targets, that the metric names and
the values of probe_success and the probe_dns_* series (timings aside) are equal."""
import json
import os
import shutil
import socket
import ssl
import struct
import threading
import unittest
import urllib.parse

from hostwatch_testutil import Agent, Process, TempDir, check_metrics_with_promtool, free_port, parse_samples, \
    require_binary, wait_for
from test_http_checks import make_certs

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
DNSMASQ = "/usr/sbin/dnsmasq"

# The zone dnsmasq serves. The TXT string holds a tab, which blackbox (miekg/dns) prints as \009.
ZONE = ["--local=/test/", "--host-record=www.test,10.0.0.1", "--host-record=mail.test,10.0.0.25",
        "--mx-host=test,mail.test,10", "--mx-host=test,mail2.test,20", "--txt-record=txt.test,tab\tx,second"]


def modules(ca_file):
    """Modules as blackbox's example config spells them."""
    def dns(**keys):
        return {"prober": "dns", "timeout": "1s", "dns": keys}
    return {
        "a_query": dns(query_name="www.test", query_type="A", validate_answer_rrs={
            "fail_if_not_matches_regexp": ["^www\\.test\\.\\t[0-9]+\\tIN\\tA\\t10\\.0\\.0\\.1$"]}),
        "mx_pass": dns(query_name="test", query_type="MX", validate_answer_rrs={
            "fail_if_none_matches_regexp": ["\\tIN\\tMX\\t10 mail\\.test\\.$"],
            "fail_if_matches_regexp": ["mail3"], "fail_if_all_match_regexp": ["^test\\.\\t"]}),
        "mx_fail": dns(query_name="test", query_type="MX", validate_answer_rrs={
            "fail_if_matches_regexp": ["\\tMX\\t20 mail2\\.test\\.$"]}),
        "txt_escapes": dns(query_name="txt.test", query_type="TXT", validate_answer_rrs={
            "fail_if_not_matches_regexp": ['\\tTXT\\t"tab\\\\009x" "second"$']}),
        "nx_valid": dns(query_name="nx.test", query_type="A", valid_rcodes=["NXDOMAIN"]),
        "nx_default": dns(query_name="nx.test", query_type="A"),
        "mx_tcp": dns(query_name="test", query_type="MX", transport_protocol="tcp", validate_answer_rrs={
            "fail_if_none_matches_regexp": ["MX\\t10 mail\\.test\\."]}),
        "mx_dot": dns(query_name="test", query_type="MX", transport_protocol="tcp", dns_over_tls=True,
                      tls_config={"ca_file": ca_file, "server_name": "localhost"}),
    }


class DotRelay:
    """DNS over TLS in front of dnsmasq's TCP port: each TLS connection is relayed to a new TCP one."""

    def __init__(self, ssl_context, upstream_port):
        self.ctx = ssl_context
        self.upstream = ("127.0.0.1", upstream_port)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_message(s):
        head = b""
        while len(head) < 2:
            chunk = s.recv(2 - len(head))
            if not chunk:
                return None
            head += chunk
        body = b""
        while len(body) < struct.unpack(">H", head)[0]:
            chunk = s.recv(struct.unpack(">H", head)[0] - len(body))
            if not chunk:
                return None
            body += chunk
        return head + body

    def _relay(self, conn):
        try:
            with self.ctx.wrap_socket(conn, server_side=True) as tls, socket.create_connection(self.upstream) as up:
                query = self._read_message(tls)
                if query:
                    up.sendall(query)
                    answer = self._read_message(up)
                    if answer:
                        tls.sendall(answer)
        except (OSError, ssl.SSLError):
            pass

    def stop(self):
        self.stopped = True
        self.sock.close()


@unittest.skipUnless(os.path.exists(DNSMASQ) and shutil.which("openssl"), "dnsmasq and openssl are needed")
class DnsChecksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        make_certs(cls.tmp.path)
        cls.dnsmasq = Process.on_free_port(lambda port: [
            DNSMASQ, "--no-daemon", "--port=%d" % port, "--listen-address=127.0.0.1", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file", "--user=root"] + ZONE,
            name="dnsmasq")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(os.path.join(cls.tmp.path, "good.pem"), os.path.join(cls.tmp.path, "leaf.key"))
        cls.relay = DotRelay(ctx, cls.dnsmasq.port)
        cls.silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never read: no answer ever
        cls.silent.bind(("127.0.0.1", 0))
        dns = "127.0.0.1:%d" % cls.dnsmasq.port
        cls.t = {"dns": dns, "dot": "127.0.0.1:%d" % cls.relay.port,
                 "silent": "127.0.0.1:%d" % cls.silent.getsockname()[1], "closed": "127.0.0.1:%d" % free_port()}
        cls.modules = modules(os.path.join(cls.tmp.path, "ca.pem"))
        cls.pairs = [(m, dns) for m in ["a_query", "mx_pass", "mx_fail", "txt_escapes", "nx_valid", "nx_default",
                                        "mx_tcp"]]
        cls.pairs += [("mx_dot", cls.t["dot"]), ("a_query", cls.t["silent"]), ("a_query", cls.t["closed"])]
        checks = {}
        for module, target in cls.pairs:
            checks.setdefault(module, []).append(target)
        config = {"modules": cls.modules,
                  "checks": [{"module": m, "targets": t, "interval": "3s", "labels": {"team": "dns"}}
                             for m, t in sorted(checks.items())]}
        cls.config_path = cls.tmp.write("hostwatch.yml", json.dumps(config, indent=1))
        cls.agent = Agent("--config.file=" + cls.config_path, "--log.level=debug")
        cls.text = wait_for(cls.all_ran, timeout=20)
        if not cls.text:
            raise AssertionError("dns checks did not all run:\n" + cls.agent.metrics())
        cls.samples = parse_samples(cls.text)

    @classmethod
    def all_ran(cls):
        text = cls.agent.metrics()
        s = parse_samples(text)
        return text if all(cls.key("probe_success", m, t) in s for m, t in cls.pairs) else None

    @staticmethod
    def key(name, module, target, extra=""):
        return '%s{check="%s",target="%s",team="dns"%s}' % (name, module, target, extra)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        if getattr(cls, "relay", None):
            cls.relay.stop()
        if getattr(cls, "silent", None):
            cls.silent.close()
        if getattr(cls, "dnsmasq", None):
            cls.dnsmasq.stop()
        cls.tmp.cleanup()

    def value(self, name, module, target, extra=""):
        return self.samples.get(self.key(name, module, target, extra))

    def reason_count(self, module, target, reason):
        return self.samples.get('hostwatch_check_failures_total{check="%s",reason="%s",target="%s"}'
                                % (module, reason, target))

    def test_answers_and_validation(self):
        dns = self.t["dns"]
        cases = [("a_query", dns, 1, 1), ("mx_pass", dns, 1, 2), ("mx_fail", dns, 0, 2), ("txt_escapes", dns, 1, 1),
                 ("nx_valid", dns, 1, 0), ("nx_default", dns, 0, 0), ("mx_tcp", dns, 1, 2),
                 ("mx_dot", self.t["dot"], 1, 2)]
        for module, target, success, answers in cases:
            with self.subTest(module=module):
                self.assertEqual(self.value("probe_success", module, target), success, self.text)
                self.assertEqual(self.value("probe_dns_query_succeeded", module, target), 1)
                self.assertEqual(self.value("probe_dns_answer_rrs", module, target), answers)
                self.assertEqual(self.value("probe_ip_protocol", module, target), 4)
        self.assertGreaterEqual(self.reason_count("mx_fail", dns, "regex"), 1)
        self.assertGreaterEqual(self.reason_count("nx_default", dns, "status_code"), 1)

    def test_silent_port_times_out_and_others_keep_running(self):
        m, t = "a_query", self.t["silent"]
        self.assertEqual(self.value("probe_success", m, t), 0)
        self.assertEqual(self.value("probe_dns_query_succeeded", m, t), 0)
        self.assertGreaterEqual(self.reason_count(m, t, "timeout"), 1)
        self.assertGreaterEqual(self.value("probe_duration_seconds", m, t), 1.0)  # the module's timeout: 1s
        def runs():
            s = parse_samples(self.agent.metrics())
            return {p: s.get(self.key("probe_all_success_count", *p)) for p in self.pairs}
        before = runs()
        after = wait_for(lambda: (lambda now: now if all(now[p] > before[p] for p in self.pairs) else None)(runs()),
                         timeout=15)
        self.assertIsNotNone(after, "some check stopped running: %s -> %s" % (before, runs()))

    def test_closed_udp_port_fails_with_connect(self):
        m, t = "a_query", self.t["closed"]  # the kernel's ICMP port unreachable ends the run at once
        self.assertEqual(self.value("probe_success", m, t), 0)
        self.assertGreaterEqual(self.reason_count(m, t, "connect"), 1)
        self.assertEqual(self.reason_count(m, t, "timeout"), 0)  # ended by the ICMP error, never by the timeout

    def test_probe_serves_each_target_of_a_module(self):
        for module, target in [("a_query", self.t["dns"]), ("a_query", self.t["silent"])]:
            status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode({"module": module,
                                                                                     "target": target}))
            self.assertEqual(status, 200, body)
            self.assertEqual(parse_samples(body.decode())["probe_success"], self.value("probe_success", module, target))

    def test_exposition_is_valid(self):
        check_metrics_with_promtool(self, self.text)

    @unittest.skipUnless(os.path.exists(BLACKBOX), "prometheus-blackbox-exporter is not installed")
    def test_same_answers_as_blackbox_exporter(self):
        """Debian's blackbox_exporter 0.23 on the same modules and targets (DNS over TLS and the silent
        port included): the same metric names and the same probe_success and probe_dns_* values, timings
        aside."""
        path = self.tmp.write("blackbox.yml", json.dumps({"modules": self.modules}))
        bb = Process.on_free_port(lambda port: [BLACKBOX, "--config.file=" + path,
                                                "--web.listen-address=127.0.0.1:%d" % port],
                                  name="blackbox", ready_path="/-/healthy")
        timings = {"probe_duration_seconds", "probe_dns_lookup_time_seconds", "probe_dns_duration_seconds"}
        try:
            for module, target in self.pairs:
                with self.subTest(module=module, target=target):
                    query = "/probe?" + urllib.parse.urlencode({"module": module, "target": target})
                    theirs = parse_samples(bb.request(query)[2].decode())
                    ours = parse_samples(self.agent.request(query)[2].decode())
                    self.assertIn("probe_dns_answer_rrs", theirs)  # a dns probe's answer, not an error page
                    self.assertEqual(sorted(ours), sorted(theirs), (ours, theirs))
                    for series, value in theirs.items():
                        if series.split("{", 1)[0] not in timings:
                            self.assertEqual(ours[series], value, series)
        finally:
            bb.stop()


if __name__ == "__main__":
    unittest.main()
