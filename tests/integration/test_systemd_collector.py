"""The systemd collector against a real systemd (issue 17): a systemd booted in
namespaces by tests/testutil/throwaway_root.BootedSystemd (the package test's
boot) runs a unit that fails, one that keeps restarting, a socket with an
accepted connection and a timer that fired; hostwatch, started there as a
transient unit, must report each with node_exporter's families and values,
both as root (systemd's private socket) and as an unprivileged user (the
system bus through dbus-daemon, as the packaged unit runs). Outside systemd,
with no bus to reach, the collector has no data and does not fail.
"""
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest

from hostwatch_testutil import (BINARY, SOURCE_DIR, Agent, check_metrics_with_promtool, library_mapped, parse_samples,
                                require_binary, wait_for)
from throwaway_root import boot_systemd_or_skip

ECHO_SOCKET = "/run/hwtest-echo.sock"
UNITS = {
    # Fails at once and stays failed.
    "hwtest-broken.service": "[Service]\nType=oneshot\nExecStart=/bin/false\n",
    # Exits after a moment and is restarted, forever (no start rate limit).
    "hwtest-flap.service": ("[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 0.2\n"
                            "Restart=always\nRestartSec=100ms\n"),
    # Accept=yes: systemd counts each accepted connection (NAccepted).
    "hwtest-echo.socket": "[Socket]\nListenStream=%s\nAccept=yes\n" % ECHO_SOCKET,
    "hwtest-echo@.service": "[Service]\nExecStart=/bin/echo hello\nStandardOutput=socket\n",
    "hwtest-tick.timer": "[Timer]\nOnActiveSec=100ms\nAccuracySec=1ms\n",
    "hwtest-tick.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
}
AGENT_FLAGS = ["--collector.disable-defaults", "--collector.systemd", "--collector.systemd.enable-restarts-metrics",
               "--collector.systemd.enable-task-metrics", "--collector.systemd.enable-start-time-metrics",
               "--log.level=debug"]


def packaged_hardening():
    """The sandboxing settings of packaging/hostwatch.service (its [Service] lines after "# Hardening.")."""
    with open(os.path.join(SOURCE_DIR, "packaging", "hostwatch.service")) as f:
        service = f.read().split("[Service]", 1)[1].split("[Install]", 1)[0]
    hardening = service.split("# Hardening.", 1)[1]
    return [l for l in hardening.splitlines() if l and not l.startswith("#") and "=" in l]


class NoBusTest(unittest.TestCase):
    def test_unreachable_bus_is_no_data_not_a_failure(self):
        require_binary()
        if os.path.exists("/run/systemd/private") and os.geteuid() == 0:
            self.skipTest("this host runs systemd: its private socket would answer")
        env = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/hostwatch-test-bus"}
        with Agent(*AGENT_FLAGS, env=env) as agent:
            samples = parse_samples(agent.metrics())
            self.assertEqual(samples.get('node_scrape_collector_success{collector="systemd"}'), 0.0)
            self.assertFalse([s for s in samples if s.startswith("node_systemd_")])
            log = wait_for(lambda: "name=systemd" in agent.log() and agent.log(), timeout=5)  # logged after the reply
        self.assertRegex(log, r'msg="collector returned no data" name=systemd err="systemd: no system bus')
        self.assertNotIn('msg="collector failed"', log)

    def test_private_without_the_private_socket_is_no_data(self):
        """--collector.systemd.private never falls back to the system bus (here: a bus that would hang)."""
        require_binary()
        if os.path.exists("/run/systemd/private"):
            self.skipTest("this host runs systemd: its private socket would answer")
        bus = SilentBus()
        self.addCleanup(bus.close)
        with Agent(*AGENT_FLAGS, "--collector.systemd.private", env={"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=" + bus.path}) as agent:
            samples = parse_samples(agent.metrics())
            self.assertEqual(samples.get('node_scrape_collector_success{collector="systemd"}'), 0.0)
            log = wait_for(lambda: "name=systemd" in agent.log() and agent.log(), timeout=5)
        self.assertRegex(log, r'msg="collector returned no data" name=systemd err="systemd: no private socket /run/systemd/private')
        self.assertFalse(bus.held, "connected to the system bus")


class SilentBus:
    """A unix socket that accepts connections and never answers: a hung dbus-daemon or systemd."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hostwatch-bus-")
        self.path = os.path.join(self.dir, "bus")
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(self.path)
        self.sock.listen(16)
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for c in self.held:
            c.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class HungBusTest(unittest.TestCase):
    def test_a_bus_that_never_answers_fails_the_scrape_within_the_collectors_own_budget(self):
        """The collector gives up by itself (5 s budget) with its reason, before the scraper's 8 s
        deadline would abandon its thread ("deadline exceeded"), and the next scrape tries again."""
        require_binary()
        bus = SilentBus()
        self.addCleanup(bus.close)
        env = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=" + bus.path}
        with Agent(*AGENT_FLAGS, env=env) as agent:
            samples = parse_samples(agent.metrics())
            self.assertEqual(samples.get('node_scrape_collector_success{collector="systemd"}'), 0.0)
            log = wait_for(lambda: "name=systemd" in agent.log() and agent.log(), timeout=5)
        self.assertRegex(log, r'msg="collector failed" name=systemd .*err="systemd: [^"]*timed out')
        self.assertNotIn("deadline", log)


class LazyLibsystemdTest(unittest.TestCase):
    def test_libsystemd_is_mapped_only_once_the_collector_runs(self):
        require_binary()
        env = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/hostwatch-test-bus"}
        with Agent("--collector.disable-defaults", "--collector.loadavg", env=env) as agent:
            agent.metrics()
            self.assertFalse(library_mapped(agent.pid, "libsystemd"))
        with Agent("--collector.disable-defaults", "--collector.systemd", env=env) as agent:
            self.assertFalse(library_mapped(agent.pid, "libsystemd"), "loaded before the first scrape")
            agent.metrics()
            self.assertTrue(library_mapped(agent.pid, "libsystemd"))


class RealSystemdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.systemd = sd = boot_systemd_or_skip("systemd collector")
        for name, text in UNITS.items():
            with open(sd.path("/etc/systemd/system/" + name), "w") as f:
                f.write(text)
        sd.run("systemctl", "daemon-reload")
        sd.run("systemctl", "start", "hwtest-echo.socket", "hwtest-tick.timer", "hwtest-flap.service")
        sd.run("systemctl", "start", "hwtest-broken.service", check=False)  # fails, as it should
        cls.connect_to_echo_socket()

    @classmethod
    def tearDownClass(cls):
        cls.systemd.close()

    @classmethod
    def connect_to_echo_socket(cls):
        code = ("import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
                "sys.stdout.write(s.recv(100).decode())")
        res = cls.systemd.run(sys.executable, "-c", code, ECHO_SOCKET)
        assert res.stdout.strip() == "hello", res.stdout

    def start_agent(self, unit, port, user=None, properties=(), extra_flags=()):
        """hostwatch as a transient unit of the booted systemd, on 127.0.0.1:port of its network."""
        argv = ["systemd-run", "--unit=" + unit, "--property=Type=exec"]
        if user:
            argv.append("--property=User=" + user)
        argv += ["--property=" + p for p in properties]
        self.systemd.run(*argv, BINARY, "--web.listen-address=127.0.0.1:%d" % port, *AGENT_FLAGS, *extra_flags)
        self.addCleanup(self.systemd.run, "systemctl", "stop", unit, check=False)

    def scrape_when_ready(self, port, unit):
        """A scrape in which the collector succeeded (the restart counter and timer need a moment)."""
        def ready():
            try:
                text = self.systemd.http_get("http://127.0.0.1:%d/metrics" % port)
            except AssertionError:
                return None
            s = parse_samples(text)
            ok = (s.get('node_scrape_collector_success{collector="systemd"}') == 1.0
                  and s.get('node_systemd_service_restart_total{name="hwtest-flap.service"}', 0) >= 1
                  and 'node_systemd_timer_last_trigger_seconds{name="hwtest-tick.timer"}' in s)
            return text if ok else None
        text = wait_for(ready, timeout=15, interval=0.2)
        if os.environ.get("HOSTWATCH_TEST_VERBOSE"):
            print("\n" + "\n".join(l for l in (text or "").splitlines() if "systemd" in l))
        journal = self.systemd.run("journalctl", "-u", unit, "--no-pager", "-o", "cat", check=False).stdout
        self.assertTrue(text, "no successful systemd scrape:\n" + journal)
        self.assertNotIn('msg="collector degraded"', journal)  # no property read refused
        return text

    def assert_series(self, text):
        s = parse_samples(text)
        self.assertEqual(s['node_systemd_unit_state{name="hwtest-broken.service",state="failed",type="oneshot"}'], 1)
        self.assertEqual(s['node_systemd_unit_state{name="hwtest-broken.service",state="active",type="oneshot"}'], 0)
        self.assertEqual(s['node_systemd_unit_state{name="hwtest-echo.socket",state="active",type=""}'], 1)
        self.assertGreaterEqual(s['node_systemd_service_restart_total{name="hwtest-flap.service"}'], 1)
        self.assertEqual(s['node_systemd_socket_accepted_connections_total{name="hwtest-echo.socket"}'], 1)
        self.assertEqual(s['node_systemd_socket_current_connections{name="hwtest-echo.socket"}'], 0)
        self.assertEqual(s['node_systemd_socket_refused_connections_total{name="hwtest-echo.socket"}'], 0)
        trigger = s['node_systemd_timer_last_trigger_seconds{name="hwtest-tick.timer"}']
        self.assertLess(abs(trigger - time.time()), 600, "a wall-clock time near now")
        started = s['node_systemd_unit_start_time_seconds{name="hwtest-echo.socket"}']
        self.assertLess(abs(started - time.time()), 600)
        self.assertEqual(s['node_systemd_unit_start_time_seconds{name="hwtest-broken.service"}'], 0)
        self.assertIn('node_systemd_unit_tasks_max{name="hwtest-flap.service"}', s)
        self.assertGreaterEqual(s['node_systemd_units{state="failed"}'], 1)
        self.assertGreaterEqual(s['node_systemd_units{state="active"}'], 5)
        # One failed unit: the booted system is "degraded", and the gauge says it is not running.
        self.assertEqual(self.systemd.run("systemctl", "is-system-running", check=False).stdout.strip(), "degraded")
        self.assertEqual(s["node_systemd_system_running"], 0)
        version = self.systemd.run("systemctl", "--version").stdout.split()[1]  # "252 (252.39-1~deb12u1)"
        series = [k for k in s if k.startswith("node_systemd_version{")]
        self.assertEqual(len(series), 1, series)
        self.assertEqual(int(s[series[0]]), int(version))
        self.assertTrue(any(k.startswith("node_systemd_virtualization_info{") for k in s))
        # Every selected unit got its properties: none lost to dbus-daemon's limit of 128 pending replies
        # per connection (the collector sends several hundred reads here, at most 64 at a time).
        names = lambda family, suffix: {m.group(1) for k in s if (m := re.match(family + r'\{name="([^"]+)"', k))
                                        and m.group(1).endswith(suffix)}
        services = names("node_systemd_unit_state", ".service")
        self.assertGreater(len(services), 30)
        self.assertEqual(names("node_systemd_service_restart_total", ".service"), services)
        self.assertEqual(names("node_systemd_unit_tasks_max", ".service"), services)
        for family in ["node_systemd_socket_accepted_connections_total", "node_systemd_socket_current_connections",
                       "node_systemd_socket_refused_connections_total"]:
            self.assertEqual(names(family, ".socket"), names("node_systemd_unit_state", ".socket"), family)
        self.assertEqual(names("node_systemd_timer_last_trigger_seconds", ".timer"),
                         names("node_systemd_unit_state", ".timer"))
        # The default exclude pattern drops mounts, slices and scopes.
        self.assertFalse([k for k in s if re.match(r'node_systemd_unit_state\{name="[^"]*\.(mount|slice|scope)"', k)])
        check_metrics_with_promtool(self, text)

    def test_as_root_over_the_private_socket(self):
        # No dbus-daemon while this agent runs: only systemd's private socket can answer.
        self.systemd.run("systemctl", "stop", "dbus.socket", "dbus.service")
        self.addCleanup(self.systemd.run, "systemctl", "start", "dbus.socket")
        self.start_agent("hwtest-agent-root", 9561)
        self.assert_series(self.scrape_when_ready(9561, "hwtest-agent-root"))

    def test_private_flag_as_root_uses_the_private_socket(self):
        self.start_agent("hwtest-agent-private", 9567, extra_flags=["--collector.systemd.private"])
        self.assert_series(self.scrape_when_ready(9567, "hwtest-agent-private"))

    def test_private_flag_never_falls_back_to_the_system_bus(self):
        """As a user the bus would answer (test_as_a_user_over_the_system_bus), but with --collector.systemd.private
        only the private socket may, and systemd accepts only root there: no data, no error."""
        self.start_agent("hwtest-agent-private-nobody", 9568, user="nobody",
                         extra_flags=["--collector.systemd.private"])
        def scraped():
            try:
                return parse_samples(self.systemd.http_get("http://127.0.0.1:9568/metrics"))
            except AssertionError:
                return None
        samples = wait_for(scraped, timeout=15, interval=0.2)
        self.assertEqual(samples.get('node_scrape_collector_success{collector="systemd"}'), 0.0)
        self.assertFalse([k for k in samples if k.startswith("node_systemd_unit_state")])
        journal = self.systemd.run("journalctl", "-u", "hwtest-agent-private-nobody", "--no-pager", "-o", "cat",
                                   check=False).stdout
        self.assertIn('msg="collector returned no data" name=systemd err="systemd: cannot connect to /run/systemd/private',
                      journal)
        self.assertNotIn('msg="collector failed"', journal)

    def test_as_a_user_over_the_system_bus(self):
        if self.systemd.show("dbus.socket", "ActiveState") != "active":
            self.fail("no system bus in the booted systemd: dbus.socket is %s" % self.systemd.show(
                "dbus.socket", "ActiveState"))
        self.start_agent("hwtest-agent-nobody", 9562, user="nobody")
        self.assert_series(self.scrape_when_ready(9562, "hwtest-agent-nobody"))

    def test_same_families_and_series_as_node_exporter(self):
        """Debian's own node_exporter (1.5.0 on Debian 12), when installed, on the same systemd: every
        node_systemd_* family it writes has the same HELP and TYPE here, and the settled test units the
        same series and values. (1.5.0 predates node_systemd_virtualization_info, which only we write.)"""
        exporter = "/usr/bin/prometheus-node-exporter"
        if not os.path.exists(exporter):
            self.skipTest("Debian's prometheus-node-exporter is not installed: nothing to compare with")
        flags = [f for f in AGENT_FLAGS if f.startswith("--collector.")]
        self.systemd.run("systemd-run", "--unit=hwtest-node-exporter", "--property=Type=exec", exporter,
                         "--web.listen-address=127.0.0.1:9563", *flags)
        self.addCleanup(self.systemd.run, "systemctl", "stop", "hwtest-node-exporter", check=False)
        self.start_agent("hwtest-agent-compare", 9564)
        ours = self.scrape_when_ready(9564, "hwtest-agent-compare")
        theirs = wait_for(lambda: self.try_get(9563))
        self.assertTrue(theirs, "node_exporter did not answer")
        meta = lambda text: {l for l in text.splitlines() if l.startswith(("# HELP node_systemd_", "# TYPE node_systemd_"))}
        self.assertGreaterEqual(len(meta(theirs)), 20, theirs[:2000])  # the ten families 1.5.0 writes here
        self.assertLessEqual(meta(theirs), meta(ours))
        settled = re.compile(r'node_systemd_[a-z_]+\{name="hwtest-(broken\.service|echo\.socket|tick\.timer)"')
        pick = lambda text: {k: v for k, v in parse_samples(text).items()
                             if settled.match(k) and "start_time" not in k and "timer_last_trigger" not in k}
        self.assertEqual(pick(ours), pick(theirs))
        self.assertGreaterEqual(len(pick(ours)), 18)  # 3 units x 5 states, and the socket's 3 counters
        if os.environ.get("HOSTWATCH_TEST_VERBOSE"):
            print("\n".join(sorted(meta(theirs))) + "\n" + "\n".join(sorted(pick(theirs))))
        summary = lambda text: {k for k in parse_samples(text) if k.startswith("node_systemd_units{")}
        self.assertEqual(summary(ours), summary(theirs))
        duration = 'node_scrape_collector_duration_seconds{collector="systemd"}'
        print("\nsystemd collector, one scrape of %d units: hostwatch %.4fs, node_exporter %.4fs" % (
            sum(v for k, v in parse_samples(ours).items() if k.startswith("node_systemd_units{")),
            parse_samples(self.try_get(9564))[duration], parse_samples(self.try_get(9563))[duration]))

    def test_under_the_packaged_units_sandbox(self):
        """packaging/hostwatch.service's hardening (seccomp allow-list, no capabilities, address families,
        read-only system) must leave the system bus reachable: the package turns this collector on."""
        hardening = packaged_hardening()
        self.assertIn("SystemCallFilter=@system-service", hardening)
        self.start_agent("hwtest-agent-sandboxed", 9565, user="nobody", properties=hardening)
        self.assertEqual(self.systemd.show("hwtest-agent-sandboxed", "MemoryDenyWriteExecute"), "yes")
        self.assertEqual(self.systemd.show("hwtest-agent-sandboxed", "CapabilityBoundingSet"), "")
        self.assertFalse(self.systemd.show("hwtest-agent-sandboxed", "SystemCallFilter").startswith("~"))
        self.assert_series(self.scrape_when_ready(9565, "hwtest-agent-sandboxed"))

    def test_a_restarted_bus_costs_no_scrape(self):
        """The connection is kept between scrapes; when dbus-daemon restarts under it, the next scrape
        reconnects and succeeds rather than failing once."""
        self.start_agent("hwtest-agent-reconnect", 9566, user="nobody")
        self.scrape_when_ready(9566, "hwtest-agent-reconnect")
        self.systemd.run("systemctl", "restart", "dbus.service")
        self.assertEqual(self.systemd.show("dbus.service", "ActiveState"), "active")
        samples = parse_samples(self.try_get(9566))
        self.assertEqual(samples.get('node_scrape_collector_success{collector="systemd"}'), 1.0)
        self.assertIn('node_systemd_unit_state{name="hwtest-broken.service",state="failed",type="oneshot"}', samples)

    def try_get(self, port):
        try:
            return self.systemd.http_get("http://127.0.0.1:%d/metrics" % port)
        except AssertionError:
            return None


if __name__ == "__main__":
    unittest.main()
