"""Ad-hoc /probe?module=M&target=T for the tcp, dns, icmp and grpc probers, end to end: the real agent,
real peers this test starts on loopback (a banner server, a dnsmasq, a gRPC health server, ICMP to
127.0.0.2), none of the modules scheduled, and http_checks.probe_targets' allow-list enforced on the
target and on the address each run resolved, before any packet leaves for it:
  - an allowed target is probed and answered in blackbox's format (no check/target labels);
  - a target outside the allow-list is refused (403) and its peer sees no connection (accepts and
    datagrams counted on the listening sockets);
  - a name the allow-list names ("localhost") that resolves to loopback is refused at connect time
    with reason target_not_allowed unless an address entry names that loopback address and port, and
    its peer sees nothing.
Also: a module no check schedules answers ad hoc (and a missing target is 400), a target of the wrong
form is 400, and the hostname parameter is refused for these probers."""
import json
import os
import shutil
import socket
import threading
import unittest
import urllib.parse

from hostwatch_testutil import Agent, Process, TempDir, parse_samples, require_binary, wait_for
from line_server import LineServer

DNSMASQ = "/usr/sbin/dnsmasq"
DEBIAN_PYTHON = "/usr/bin/python3"
GRPC_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testutil", "grpc_health_server.py")
BANNER = [("send", b"SSH-2.0-OpenSSH_9.2p1 hostwatch-test\r\n"), ("read",)]


def grpcio():
    return os.path.exists(DEBIAN_PYTHON) and os.system(DEBIAN_PYTHON + " -c 'import grpc' 2>/dev/null") == 0


class DatagramCounter:
    """A UDP socket on 127.0.0.1 that counts the datagrams it receives (a peer that must see nothing)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self._stopped = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while not self._stopped:
            try:
                self.sock.recv(65535)
                self.count += 1
            except OSError:
                continue

    def stop(self):
        self._stopped = True
        self._thread.join()
        self.sock.close()


MODULES = {
    # ip4 without fallback: "localhost" is 127.0.0.1 only, whatever /etc/hosts says of ::1.
    "tcp_v4": {"prober": "tcp", "timeout": "2s",
               "tcp": {"preferred_ip_protocol": "ip4", "ip_protocol_fallback": False}},
    "ssh_banner": {"prober": "tcp", "timeout": "2s", "tcp": {
        "preferred_ip_protocol": "ip4", "ip_protocol_fallback": False,
        "query_response": [{"expect": "^SSH-2.0-"}, {"send": "SSH-2.0-adhoc-check"}]}},
    "dns_a": {"prober": "dns", "timeout": "2s",
              "dns": {"query_name": "www.test", "query_type": "A", "preferred_ip_protocol": "ip4",
                      "ip_protocol_fallback": False}},
    "icmp_v4": {"prober": "icmp", "timeout": "2s", "icmp": {"preferred_ip_protocol": "ip4"}},
    "grpc_v4": {"prober": "grpc", "timeout": "2s",
                "grpc": {"preferred_ip_protocol": "ip4", "ip_protocol_fallback": False}},
}


@unittest.skipUnless(os.path.exists(DNSMASQ), "dnsmasq is needed")
class AdHocProbesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        cls.banner = LineServer(BANNER)   # allowed by address and port
        cls.denied = LineServer(BANNER)   # on a port no entry allows
        cls.udp_denied = DatagramCounter()
        cls.dnsmasq = Process.on_free_port(lambda port: [
            DNSMASQ, "--no-daemon", "--port=%d" % port, "--listen-address=127.0.0.1", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file", "--user=root",
            "--local=/test/", "--host-record=www.test,10.0.0.1"], name="dnsmasq")
        cls.grpc = None
        allowed = ["127.0.0.1:%d" % cls.banner.port, "127.0.0.1:%d" % cls.dnsmasq.port, "127.0.0.2", "localhost"]
        if grpcio():
            cls.status_file = cls.tmp.write("status.json", json.dumps({"": "SERVING"}))
            cls.grpc = Process.on_free_port(
                lambda port: [DEBIAN_PYTHON, GRPC_SERVER, "--port", str(port), "--status-file", cls.status_file],
                name="grpc_health_server", ready_line=lambda line: line.startswith("serving on"))
            allowed.append("127.0.0.1:%d" % cls.grpc.port)
        config = {"modules": MODULES,
                  "http_checks": {"probe_targets": {"enabled": True, "allowed_targets": allowed}}}
        cls.config_path = cls.tmp.write("hostwatch.yml", json.dumps(config, indent=1))
        cls.agent = Agent("--config.file=" + cls.config_path, "--collector.disable-defaults")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "agent", None):
            cls.agent.stop()
        for peer in [cls.banner, cls.denied, cls.udp_denied, cls.dnsmasq, cls.grpc]:
            if peer is not None:
                peer.stop()
        cls.tmp.cleanup()

    def probe(self, module, target, debug=False, **extra):
        q = dict(module=module, target=target, **extra)
        if debug:
            q["debug"] = "true"
        status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode(q), timeout=15)
        return status, body.decode("utf-8", "replace")

    def assert_blackbox_answer(self, body, success):
        samples = parse_samples(body)
        self.assertEqual(samples["probe_success"], success, body)
        self.assertIn("probe_duration_seconds", samples)
        # blackbox's format: the series of one probe, without the check/target labels of /metrics.
        self.assertFalse([k for k in samples if "check=" in k or "target=" in k], body)
        return samples

    def assert_refused_at_connect(self, module, target, peer_count):
        before = peer_count()
        status, body = self.probe(module, target, debug=True)
        self.assertEqual(status, 200, body)
        self.assertIn("probe_success 0", body)
        self.assertIn("reason=target_not_allowed", body)
        self.assertIn("(resolved from localhost) refused", body)
        self.assertIn("loopback", body)
        self.assertEqual(peer_count(), before, "the refused address must see no packet")

    def test_tcp_allowed_target_is_probed(self):
        before = self.banner.connections
        status, body = self.probe("ssh_banner", "127.0.0.1:%d" % self.banner.port)
        self.assertEqual(status, 200, body)
        samples = self.assert_blackbox_answer(body, 1)
        self.assertEqual(samples["probe_failed_due_to_regex"], 0)
        self.assertEqual(self.banner.connections, before + 1)
        # The probe ends once its line is sent; the server reads it a moment later.
        self.assertTrue(wait_for(lambda: "SSH-2.0-adhoc-check" in self.banner.received(), timeout=5),
                        self.banner.received())
        # Nothing of an ad-hoc run reaches /metrics.
        self.assertNotIn("ssh_banner", self.agent.metrics())

    def test_tcp_disallowed_target_is_refused_before_connecting(self):
        before = self.denied.connections
        status, body = self.probe("tcp_v4", "127.0.0.1:%d" % self.denied.port)
        self.assertEqual(status, 403, body)
        self.assertIn("127.0.0.1:%d is not allowed" % self.denied.port, body)
        self.assertEqual(self.denied.connections, before)

    def test_tcp_name_resolving_to_loopback_needs_an_address_entry(self):
        # "localhost" is a name entry, so the name may be asked for; it resolves to 127.0.0.1, which an
        # address entry allows on the banner's port only.
        status, body = self.probe("tcp_v4", "localhost:%d" % self.banner.port)
        self.assert_blackbox_answer(body, 1)
        self.assert_refused_at_connect("tcp_v4", "localhost:%d" % self.denied.port, lambda: self.denied.connections)

    def test_dns_allowed_and_refused(self):
        status, body = self.probe("dns_a", "127.0.0.1:%d" % self.dnsmasq.port)
        self.assertEqual(status, 200, body)
        samples = self.assert_blackbox_answer(body, 1)
        self.assertEqual(samples["probe_dns_answer_rrs"], 1)
        before = self.udp_denied.count
        status, body = self.probe("dns_a", "127.0.0.1:%d" % self.udp_denied.port)
        self.assertEqual(status, 403, body)
        self.assert_refused_at_connect("dns_a", "localhost:%d" % self.udp_denied.port, lambda: self.udp_denied.count)
        self.assertEqual(self.udp_denied.count, before)

    def test_icmp_allowed_and_refused(self):
        status, body = self.probe("icmp_v4", "127.0.0.2")
        self.assertEqual(status, 200, body)
        self.assert_blackbox_answer(body, 1)
        status, body = self.probe("icmp_v4", "127.0.0.1")
        self.assertEqual(status, 403, body)
        self.assertIn("target 127.0.0.1 is not allowed", body)
        # The name is allowed, its address 127.0.0.1 is not: refused before any echo is sent.
        status, body = self.probe("icmp_v4", "localhost", debug=True)
        self.assertIn("reason=target_not_allowed", body)
        self.assertNotIn("Creating ICMP packet", body)

    def test_grpc_allowed_and_refused(self):
        if self.grpc is None:
            self.skipTest("Debian's python3-grpcio is needed for the gRPC server")
        status, body = self.probe("grpc_v4", "127.0.0.1:%d" % self.grpc.port)
        self.assertEqual(status, 200, body)
        samples = self.assert_blackbox_answer(body, 1)
        self.assertEqual(samples["probe_grpc_healthcheck_response{serving_status=\"SERVING\"}"], 1)
        # blackbox 0.28 takes a URL too: its host and port; the module's tls, not the scheme, picks TLS.
        status, body = self.probe("grpc_v4", "http://127.0.0.1:%d/" % self.grpc.port)
        self.assertEqual(status, 200, body)
        self.assert_blackbox_answer(body, 1)
        before = self.denied.connections
        status, body = self.probe("grpc_v4", "127.0.0.1:%d" % self.denied.port)
        self.assertEqual(status, 403, body)
        self.assert_refused_at_connect("grpc_v4", "localhost:%d" % self.denied.port, lambda: self.denied.connections)
        self.assertEqual(self.denied.connections, before)

    def test_bad_requests(self):
        status, body = self.probe("tcp_v4", "")
        self.assertEqual(status, 400, body)
        self.assertIn("Target parameter is missing", body)
        status, body = self.probe("tcp_v4", "127.0.0.1")  # no port
        self.assertEqual(status, 400, body)
        self.assertIn("must be host:port", body)
        status, body = self.probe("icmp_v4", "127.0.0.2:80")
        self.assertEqual(status, 400, body)
        status, body = self.probe("tcp_v4", "127.0.0.1:%d" % self.banner.port, hostname="example.org")
        self.assertEqual(status, 400, body)
        self.assertIn("hostname parameter applies to http modules only", body)
        status, body = self.probe("nosuch", "127.0.0.1:1")
        self.assertEqual(status, 400, body)


if __name__ == "__main__":
    unittest.main()
