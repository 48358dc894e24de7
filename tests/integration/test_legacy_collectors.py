"""The ntp, runit and supervisord collectors (node_exporter 1.12.1's deprecated ones) against
real peers on loopback: a small NTP server written here that answers with known header fields
and a known clock offset (and one that never answers), Debian's supervisord with three
programs, and a runit service directory with known status records."""
import os
import shutil
import socket
import struct
import threading
import time
import unittest
import xmlrpc.client

from hostwatch_testutil import SOURCE_DIR, Agent, Process, TempDir, check_metrics_with_promtool, free_port, sample

NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900 to 1970


def ntp_timestamp(unix_seconds):
    return int((unix_seconds + NTP_EPOCH_OFFSET) * 2**32) & (2**64 - 1)


class NtpServer:
    """Answers every SNTP request on 127.0.0.1 (RFC 5905): its clock is the host's plus `offset`,
    root delay 0.5 s, root dispersion 0.25 s, reference time `ref_age` seconds before its own.
    silent=True: reads requests and never answers."""

    def __init__(self, offset=0.0, stratum=3, leap=0, ref_age=16.0, silent=False):
        self.offset, self.stratum, self.leap, self.ref_age, self.silent = offset, stratum, leap, ref_age, silent
        self.requests = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(1024)
            except socket.timeout:
                continue
            self.requests += 1
            if self.silent or len(data) < 48:
                continue
            received = time.time() + self.offset
            origin = struct.unpack(">Q", data[40:48])[0]
            header = struct.pack(">BBbbIII", (self.leap << 6) | (4 << 3) | 4, self.stratum, 6, -20,
                                 0x00008000, 0x00004000, 0x7f7f0101)
            sent = time.time() + self.offset
            self.sock.sendto(header + struct.pack(">QQQQ", ntp_timestamp(received - self.ref_age), origin,
                                                  ntp_timestamp(received), ntp_timestamp(sent)), peer)

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


def scrape(*args):
    with Agent(*args) as agent:
        text = agent.metrics()
    return text, agent.log()


class NtpCollectorTest(unittest.TestCase):
    def test_values_of_a_server_ten_seconds_ahead(self):
        server = NtpServer(offset=10.0, stratum=3)
        try:
            before = time.time()
            text, log = scrape("--collector.ntp", "--collector.ntp.server-port=%d" % server.port)
        finally:
            server.stop()
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="ntp"}'), 1, log)
        self.assertEqual(server.requests, 1)
        self.assertEqual(sample(text, "node_ntp_stratum"), 3)
        self.assertEqual(sample(text, "node_ntp_leap"), 0)
        self.assertEqual(sample(text, "node_ntp_root_delay_seconds"), 0.5)
        self.assertEqual(sample(text, "node_ntp_root_dispersion_seconds"), 0.25)
        self.assertAlmostEqual(sample(text, "node_ntp_offset_seconds"), 10.0, delta=0.05)
        rtt = sample(text, "node_ntp_rtt_seconds")
        self.assertGreaterEqual(rtt, 0)
        self.assertLess(rtt, 0.5)
        self.assertAlmostEqual(sample(text, "node_ntp_reference_timestamp_seconds"), before + 10 - 16, delta=5)
        self.assertEqual(sample(text, "node_ntp_sanity"), 0)  # 10 s off is far beyond the 1 ms tolerance
        self.assertIn("# HELP node_ntp_sanity NTPD sanity according to RFC5905 heuristics and configured limits.",
                      text)
        check_metrics_with_promtool(self, text)

    def test_a_server_in_step_is_sane_and_its_leap_flag_is_exported(self):
        server = NtpServer(offset=0.0, stratum=2, leap=1)
        try:
            text, log = scrape("--collector.ntp", "--collector.ntp.server-port=%d" % server.port,
                               "--collector.ntp.local-offset-tolerance=50ms")
        finally:
            server.stop()
        self.assertEqual(sample(text, "node_ntp_stratum"), 2, log)
        self.assertEqual(sample(text, "node_ntp_leap"), 1)
        self.assertEqual(sample(text, "node_ntp_sanity"), 1)

    def test_a_silent_server_fails_the_collector_by_its_own_timeout_not_the_scrape(self):
        server = NtpServer(silent=True)
        try:
            text, log = scrape("--collector.ntp", "--collector.ntp.server-port=%d" % server.port)
        finally:
            server.stop()
        self.assertEqual(server.requests, 1)
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="ntp"}'), 0)
        self.assertNotIn("node_ntp_offset_seconds", text)
        # The collector gave up by itself (1 s, upstream's timeout), well before the 8 s collector
        # deadline would have abandoned it, and said why.
        self.assertLess(sample(text, 'node_scrape_collector_duration_seconds{collector="ntp"}'), 8)
        self.assertIn("couldn't get SNTP reply: no reply from 127.0.0.1 port %d within 1s" % server.port, log)

    def test_no_server_at_all_is_no_data(self):
        port = free_port()  # UDP: nothing listens there, the kernel answers port unreachable
        text, log = scrape("--collector.ntp", "--collector.ntp.server-port=%d" % port, "--log.level=debug")
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="ntp"}'), 0)
        self.assertIn("connection refused", log)
        self.assertNotIn("level=error", log)

    def test_a_public_server_is_refused_at_start_as_upstream(self):
        with self.assertRaises(AssertionError):
            Agent("--collector.ntp", "--collector.ntp.server=192.0.2.1", timeout=5).stop()


def supervisord_config(tmp, port):
    return "\n".join([
        "[supervisord]", "nodaemon=true", "logfile=%s/supervisord.log" % tmp, "pidfile=%s/supervisord.pid" % tmp,
        "childlogdir=%s" % tmp,
        "[unix_http_server]", "file=%s/supervisor.sock" % tmp,
        "[inet_http_server]", "port=127.0.0.1:%d" % port,
        "[rpcinterface:supervisor]", "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "[program:sleeper]", "command=sleep 1000", "startsecs=0",
        "[program:exits]", "command=sh -c 'exit 3'", "startsecs=0", "autorestart=false",
        "[program:idle]", "command=sleep 1000", "autostart=false", ""])


@unittest.skipUnless(shutil.which("supervisord"), "Debian's supervisor package is not installed")
class SupervisordCollectorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()

        def argv(port):
            cls.tmp.write("supervisord.conf", supervisord_config(cls.tmp.path, port))
            cls.port = port
            return ["supervisord", "-c", os.path.join(cls.tmp.path, "supervisord.conf")]

        cls.supervisord = Process.on_free_port(argv, name="supervisord")
        # Python's own XML-RPC client is the reference the agent's values are compared with.
        with xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % cls.port) as proxy:
            deadline = time.time() + 10
            while time.time() < deadline:
                cls.info = {p["name"]: p for p in proxy.supervisor.getAllProcessInfo()}
                if cls.info["sleeper"]["statename"] == "RUNNING" and cls.info["exits"]["statename"] == "EXITED":
                    break
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.supervisord.stop()
        cls.tmp.cleanup()

    def check(self, text, log):
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="supervisord"}'), 1, log)
        for name, want_up in (("sleeper", 1), ("exits", 0), ("idle", 0)):
            labels = '{group="%s",name="%s"}' % (name, name)
            self.assertEqual(sample(text, "node_supervisord_state" + labels), self.info[name]["state"], name)
            self.assertEqual(sample(text, "node_supervisord_exit_status" + labels), self.info[name]["exitstatus"])
            self.assertEqual(sample(text, "node_supervisord_up" + labels), want_up, name)
        self.assertEqual(sample(text, 'node_supervisord_exit_status{group="exits",name="exits"}'), 3)
        self.assertEqual(sample(text, 'node_supervisord_start_time_seconds{group="sleeper",name="sleeper"}'),
                         self.info["sleeper"]["start"])
        self.assertNotIn('node_supervisord_start_time_seconds{group="idle"', text)  # only running ones
        self.assertIn("# TYPE node_supervisord_start_time_seconds counter", text)
        check_metrics_with_promtool(self, text)

    def test_over_http(self):
        self.check(*scrape("--collector.supervisord", "--collector.supervisord.url=http://127.0.0.1:%d/RPC2" % self.port))

    def test_over_the_unix_socket(self):
        url = "unix://" + os.path.join(self.tmp.path, "supervisor.sock")
        self.check(*scrape("--collector.supervisord", "--collector.supervisord.url=" + url))


class RunitCollectorTest(unittest.TestCase):
    def test_fixture_service_directory(self):
        fixtures = os.path.join(SOURCE_DIR, "tests", "fixtures", "runit", "service")
        text, log = scrape("--collector.runit", "--collector.runit.servicedir=" + fixtures)
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="runit"}'), 1, log)
        self.assertEqual(sample(text, 'node_service_state{service="foo",supervisor="runit"}'), 1)
        self.assertEqual(sample(text, 'node_service_normal_state{service="bar",supervisor="runit"}'), 0)
        self.assertEqual(sample(text, 'node_service_state_last_change_timestamp_seconds{service="foo",'
                                      'supervisor="runit"}'), 1383386573)
        check_metrics_with_promtool(self, text)


if __name__ == "__main__":
    unittest.main()
