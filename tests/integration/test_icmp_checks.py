"""icmp checks end to end (the `modules:` + `checks:` sections, blackbox's icmp prober). The test moves
itself into a network namespace of its own (unshare(CLONE_NEWNET)), where it may set the sysctl
net.ipv4.ping_group_range freely and add interfaces and routes; everything it starts (the agent,
Debian's prometheus-blackbox-exporter) lives there, and the namespace goes away with the test.

Targets: 127.0.0.1 and ::1 (the kernel answers), 192.0.2.77 and 2001:db8::77 (reached over a veth
pair with a fixed neighbour entry: the echoes leave and nothing ever answers), and 198.51.100.7
(a blackhole route: the kernel refuses to send). The agent first runs with the namespace's default
ping_group_range ("1 0": no group may open a datagram ICMP socket), so it falls back to raw sockets;
then the test opens the range, and the next runs use datagram sockets. In both phases the debug log
names the socket kind, and side by side with blackbox (which makes the same choice) the metric names
and probe_success, probe_ip_protocol and probe_icmp_reply_hop_limit are equal."""
import ctypes
import grp
import json
import os
import shutil
import subprocess
import unittest
import urllib.parse

from hostwatch_testutil import Agent, Process, TempDir, check_metrics_with_promtool, parse_samples, \
    require_binary, wait_for

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
CLONE_NEWNET = 0x40000000
PING_GROUP_RANGE = "/proc/sys/net/ipv4/ping_group_range"

SILENT_V4, SILENT_V6, BLACKHOLE = "192.0.2.77", "2001:db8::77", "198.51.100.7"

# Modules as blackbox's example config spells them; icmp_smokeping uses hostwatch's packets keys.
BLACKBOX_MODULES = {
    "icmp": {"prober": "icmp", "timeout": "1s"},
    "icmp_v4": {"prober": "icmp", "timeout": "1s", "icmp": {"preferred_ip_protocol": "ip4"}},
    "icmp_ttl": {"prober": "icmp", "timeout": "1s",
                 "icmp": {"preferred_ip_protocol": "ip4", "ttl": 5, "payload_size": 100, "dont_fragment": True}},
}
MODULES = dict(BLACKBOX_MODULES, icmp_smokeping={
    "prober": "icmp", "timeout": "2s", "icmp": {"packets": 5, "packet_interval": "100ms"}})
PAIRS = [("icmp", "127.0.0.1"), ("icmp", "::1"), ("icmp", SILENT_V4), ("icmp", SILENT_V6), ("icmp", BLACKHOLE),
         ("icmp_v4", "localhost"), ("icmp_ttl", "127.0.0.1"),
         ("icmp_smokeping", "127.0.0.1"), ("icmp_smokeping", "::1"), ("icmp_smokeping", SILENT_V4)]
BLACKBOX_PAIRS = [p for p in PAIRS if p[0] in BLACKBOX_MODULES]


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True)


def setUpModule():
    if os.geteuid() != 0 or not shutil.which("ip"):
        raise unittest.SkipTest("needs root and iproute2 to make a network namespace")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise unittest.SkipTest("unshare(CLONE_NEWNET): " + os.strerror(ctypes.get_errno()))
    ip("link", "set", "lo", "up")
    ip("link", "add", "hwicmp0", "type", "veth", "peer", "name", "hwicmp1")
    ip("link", "set", "hwicmp0", "up")
    ip("link", "set", "hwicmp1", "up")
    ip("addr", "add", "192.0.2.1/24", "dev", "hwicmp0")
    ip("addr", "add", "2001:db8::1/64", "dev", "hwicmp0", "nodad")
    # Fixed neighbours: the echoes are sent at once (no neighbour discovery to fail) and never answered.
    ip("neigh", "add", SILENT_V4, "lladdr", "02:00:00:00:00:77", "dev", "hwicmp0", "nud", "permanent")
    ip("-6", "neigh", "add", SILENT_V6, "lladdr", "02:00:00:00:00:77", "dev", "hwicmp0", "nud", "permanent")
    ip("route", "add", "blackhole", "198.51.100.0/24")
    set_ping_group_range("1 0")


def set_ping_group_range(value):
    with open(PING_GROUP_RANGE, "w") as f:  # this namespace's own copy of the sysctl
        f.write(value)


def key(name, module, target, **more):
    """The series as the exposition writes it: labels in name order."""
    labels = dict(more, check=module, target=target)
    return "%s{%s}" % (name, ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)))


def names(samples):
    return {s.split("{", 1)[0] for s in samples}


class IcmpChecksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        checks = {}
        for module, target in PAIRS:
            checks.setdefault(module, []).append(target)
        config = {"modules": MODULES,
                  "checks": [{"module": m, "targets": t, "interval": "3s"} for m, t in sorted(checks.items())]}
        cls.agent = Agent("--config.file=" + cls.tmp.write("hostwatch.yml", json.dumps(config, indent=1)))
        cls.blackbox = None
        if os.path.exists(BLACKBOX):
            path = cls.tmp.write("blackbox.yml", json.dumps({"modules": BLACKBOX_MODULES}))
            cls.blackbox = Process.on_free_port(lambda port: [BLACKBOX, "--config.file=" + path,
                                                              "--web.listen-address=127.0.0.1:%d" % port],
                                                name="blackbox", ready_path="/-/healthy")
        cls.text = wait_for(lambda: cls.runs_after({}), timeout=20)
        if not cls.text:
            raise AssertionError("icmp checks did not all run:\n" + cls.agent.metrics())
        cls.samples = parse_samples(cls.text)

    @classmethod
    def runs_after(cls, before):
        """The /metrics text once every pair has completed more runs than in before, else None."""
        text = cls.agent.metrics()
        s = parse_samples(text)
        done = all(s.get(key("probe_all_success_count", m, t), 0) > before.get((m, t), 0) for m, t in PAIRS)
        return text if done else None

    @classmethod
    def tearDownClass(cls):
        for p in [getattr(cls, "blackbox", None), getattr(cls, "agent", None)]:
            if p:
                p.stop()
        set_ping_group_range("1 0")
        cls.tmp.cleanup()

    def value(self, name, module, target, **more):
        return self.samples.get(key(name, module, target, **more))

    def probe(self, module, target, debug=False):
        query = {"module": module, "target": target}
        if debug:
            query["debug"] = "true"
        status, _, body = self.agent.request("/probe?" + urllib.parse.urlencode(query))
        self.assertEqual(status, 200, body)
        return body.decode()

    def assert_same_as_blackbox(self):
        for module, target in BLACKBOX_PAIRS:
            with self.subTest(module=module, target=target):
                query = "/probe?" + urllib.parse.urlencode({"module": module, "target": target})
                theirs = parse_samples(self.blackbox.request(query)[2].decode())
                ours = parse_samples(self.probe(module, target))
                self.assertEqual(sorted(names(ours)), sorted(names(theirs)), (ours, theirs))
                for name in ["probe_success", "probe_ip_protocol", "probe_icmp_reply_hop_limit"]:
                    self.assertEqual(ours.get(name), theirs.get(name), name)

    def test_1_raw_sockets_without_ping_group_range(self):
        """The namespace's ping_group_range admits no group: the runs fall back to raw sockets."""
        for module, target in [("icmp", "127.0.0.1"), ("icmp", "::1"), ("icmp_smokeping", "127.0.0.1")]:
            self.assertIn("using a raw ICMP socket", self.probe(module, target, debug=True))
        if self.blackbox:
            self.assert_same_as_blackbox()

    def test_2_datagram_sockets_once_ping_group_range_allows(self):
        """Opening the range switches the next runs to unprivileged datagram sockets, at run time."""
        s = parse_samples(self.agent.metrics())
        before = {p: s.get(key("probe_all_success_count", *p), 0) for p in PAIRS}
        set_ping_group_range("0 2147483647")
        try:
            self.assertIsNotNone(wait_for(lambda: self.runs_after(before), timeout=15))
            for module, target in [("icmp", "127.0.0.1"), ("icmp", "::1"), ("icmp_smokeping", "::1")]:
                page = self.probe(module, target, debug=True)
                self.assertIn("Using an unprivileged datagram ICMP socket", page)
                self.assertEqual(parse_samples(self.probe(module, target))["probe_success"], 1)
            if self.blackbox:
                self.assert_same_as_blackbox()
        finally:
            set_ping_group_range("1 0")

    def test_loopback_answers_with_blackbox_series(self):
        for module, target, family in [("icmp", "127.0.0.1", 4), ("icmp", "::1", 6), ("icmp_v4", "localhost", 4),
                                       ("icmp_ttl", "127.0.0.1", 4)]:
            with self.subTest(module=module, target=target):
                self.assertEqual(self.value("probe_success", module, target), 1, self.text)
                self.assertEqual(self.value("probe_ip_protocol", module, target), family)
                self.assertEqual(self.value("probe_icmp_reply_hop_limit", module, target), 64)
                self.assertGreater(self.value("probe_icmp_duration_seconds", module, target, phase="rtt"), 0)
                self.assertGreater(self.value("probe_ip_addr_hash", module, target), 0)

    def test_five_packets_all_answered(self):
        for target in ["127.0.0.1", "::1"]:
            with self.subTest(target=target):
                m = "icmp_smokeping"
                self.assertEqual(self.value("probe_success", m, target), 1)
                self.assertEqual(self.value("probe_icmp_packets_sent", m, target), 5)
                self.assertEqual(self.value("probe_icmp_packets_received", m, target), 5)
                self.assertEqual(self.value("probe_icmp_packet_loss_ratio", m, target), 0)
                lo = self.value("probe_icmp_rtt_seconds", m, target, stat="min")
                hi = self.value("probe_icmp_rtt_seconds", m, target, stat="max")
                self.assertGreater(lo, 0)
                self.assertLessEqual(lo, self.value("probe_icmp_rtt_seconds", m, target, stat="avg"))
                self.assertLessEqual(self.value("probe_icmp_rtt_seconds", m, target, stat="avg"), hi)
                # The histogram holds every round trip of every run: five per run.
                runs = self.value("probe_all_duration_seconds_count", m, target)
                self.assertEqual(self.value("probe_all_icmp_rtt_seconds_count", m, target), 5 * runs)
                inf = key("probe_all_icmp_rtt_seconds_bucket", m, target)[:-1] + ',le="+Inf"}'  # le comes last
                self.assertEqual(self.samples.get(inf), 5 * runs)
        # One echo per run for a blackbox module, and no smokeping series on its /probe answer.
        self.assertEqual(self.value("probe_all_icmp_rtt_seconds_count", "icmp", "127.0.0.1"),
                         self.value("probe_all_duration_seconds_count", "icmp", "127.0.0.1"))
        self.assertNotIn("probe_icmp_packets_sent", self.probe("icmp", "127.0.0.1"))

    def reason_count(self, module, target, reason):
        return self.samples.get('hostwatch_check_failures_total{check="%s",reason="%s",target="%s"}'
                                % (module, reason, target))

    def test_silent_address_fails_with_timeout_within_the_timeout(self):
        for module, target, timeout in [("icmp", SILENT_V4, 1), ("icmp", SILENT_V6, 1),
                                        ("icmp_smokeping", SILENT_V4, 2)]:
            with self.subTest(module=module, target=target):
                self.assertEqual(self.value("probe_success", module, target), 0)
                self.assertGreaterEqual(self.reason_count(module, target, "timeout"), 1)
                self.assertGreaterEqual(self.value("probe_duration_seconds", module, target), timeout)
                # Each run ended by its timeout: none was still going when the next was due.
                self.assertEqual(self.samples.get('hostwatch_check_skipped_total{check="%s",target="%s"}'
                                                  % (module, target)), 0)
                self.assertIsNone(self.value("probe_icmp_reply_hop_limit", module, target))
        m = "icmp_smokeping"
        self.assertEqual(self.value("probe_icmp_packets_sent", m, SILENT_V4), 5)
        self.assertEqual(self.value("probe_icmp_packets_received", m, SILENT_V4), 0)
        self.assertEqual(self.value("probe_icmp_packet_loss_ratio", m, SILENT_V4), 1)
        self.assertEqual(self.value("probe_all_icmp_rtt_seconds_count", m, SILENT_V4), 0)

    def test_blackhole_route_fails_at_once_with_connect(self):
        self.assertEqual(self.value("probe_success", "icmp", BLACKHOLE), 0)
        self.assertGreaterEqual(self.reason_count("icmp", BLACKHOLE, "connect"), 1)
        self.assertIn("Invalid argument", self.probe("icmp", BLACKHOLE, debug=True))

    def test_silent_targets_do_not_hold_up_the_others(self):
        s = parse_samples(self.agent.metrics())
        before = {p: s.get(key("probe_all_success_count", *p), 0) for p in PAIRS}
        self.assertIsNotNone(wait_for(lambda: self.runs_after(before), timeout=15),
                             "some check stopped running")

    def test_exposition_is_valid(self):
        check_metrics_with_promtool(self, self.text)


class UnprivilegedAgentTest(unittest.TestCase):
    """The packaged agent runs as a user without capabilities: what docs/checks-icmp.md says it needs."""

    def test_needs_ping_group_range_and_says_so(self):
        if not shutil.which("setpriv"):
            self.skipTest("setpriv (util-linux) is needed to drop privileges")
        gid = grp.getgrnam("nogroup").gr_gid
        tmp = TempDir()
        os.chmod(tmp.path, 0o755)
        config = {"modules": {"icmp": {"prober": "icmp", "timeout": "1s"}},
                  "checks": [{"module": "icmp", "targets": ["127.0.0.1"], "interval": "2s"}]}
        path = tmp.write("hostwatch.yml", json.dumps(config), mode=0o644)
        set_ping_group_range("1 0")
        agent = Agent("--config.file=" + path, prefix=("setpriv", "--reuid=nobody", "--regid=nogroup",
                                                       "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"))
        try:
            def series(name, **more):
                return parse_samples(agent.metrics()).get(key(name, "icmp", "127.0.0.1", **more))
            self.assertIsNotNone(wait_for(lambda: (series("probe_all_success_count") or 0) > 0 or None, timeout=10))
            self.assertEqual(series("probe_success"), 0)
            self.assertGreaterEqual(series("hostwatch_check_failures_total", reason="other"), 1)
            status, _, page = agent.request("/probe?module=icmp&target=127.0.0.1&debug=true")
            self.assertIn("net.ipv4.ping_group_range", page.decode())
            self.assertIn("CAP_NET_RAW", page.decode())
            # Admitting the agent's group (only it) is enough: the next runs use datagram sockets.
            set_ping_group_range("%d %d" % (gid, gid))
            self.assertIsNotNone(wait_for(lambda: series("probe_success") == 1 or None, timeout=10))
            status, _, page = agent.request("/probe?module=icmp&target=127.0.0.1&debug=true")
            self.assertIn("Using an unprivileged datagram ICMP socket", page.decode())
        finally:
            agent.stop()
            set_ping_group_range("1 0")
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
