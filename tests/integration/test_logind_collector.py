"""The logind collector against a real systemd-logind: a systemd booted in namespaces by
tests/testutil/throwaway_root.BootedSystemd (the package test's boot) starts systemd-logind and a
PAM session (a transient service with PAMName= and User=nobody, which pam_systemd registers); hostwatch,
started there as a transient unit, must count that session under the labels loginctl shows for it,
as root and as an unprivileged user (both over the system bus). Outside systemd, with no bus to
reach, the collector has no data and does not fail."""
import unittest

from hostwatch_testutil import Agent, BINARY, parse_samples, require_binary, wait_for
from throwaway_root import boot_systemd_or_skip

FLAGS = ["--collector.disable-defaults", "--collector.logind", "--log.level=debug"]
SESSIONS = "node_logind_sessions{"


class NoBusTest(unittest.TestCase):
    def test_unreachable_bus_is_no_data_not_a_failure(self):
        env = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/hostwatch-test-bus"}
        with Agent(*FLAGS, env=env) as agent:
            samples = parse_samples(agent.metrics())
            self.assertEqual(samples.get('node_scrape_collector_success{collector="logind"}'), 0.0)
            self.assertFalse([s for s in samples if s.startswith(SESSIONS)])
            log = wait_for(lambda: "name=logind" in agent.log() and agent.log(), timeout=5)
        self.assertRegex(log, r'msg="collector returned no data" name=logind err="logind: systemd: no system bus')
        self.assertNotIn('msg="collector failed"', log)


class RealLogindTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.systemd = sd = boot_systemd_or_skip("logind collector", needs=("/lib/systemd/systemd-logind",))
        # logind would start nobody's user manager (user@65534.service) for the session, which does not
        # come up in these namespaces and holds the session's creation: the session needs no such manager.
        sd.run("systemctl", "mask", "user@.service")
        sd.run("systemctl", "start", "systemd-logind.service")
        # A session as a login makes one: pam_systemd (in common-session) registers it with logind.
        sd.run("systemd-run", "--no-block", "--unit=hwtest-session", "--property=PAMName=login",
               "--property=User=nobody", "/bin/sleep", "600")
        cls.session = wait_for(cls.find_session, timeout=15, interval=0.2)

    @classmethod
    def find_session(cls):
        out = cls.systemd.run("loginctl", "list-sessions", "--no-legend", check=False).stdout.split()
        if not out:
            return None
        props = cls.systemd.run("loginctl", "show-session", out[0], "-p", "Remote", "-p", "Type", "-p", "Class",
                                "-p", "Seat").stdout
        return dict(l.split("=", 1) for l in props.splitlines() if "=" in l)

    @classmethod
    def tearDownClass(cls):
        cls.systemd.close()

    def scrape(self, unit, port, user=None):
        argv = ["systemd-run", "--unit=" + unit, "--property=Type=exec"]
        if user:
            argv.append("--property=User=" + user)
        self.systemd.run(*argv, BINARY, "--web.listen-address=127.0.0.1:%d" % port, *FLAGS)
        self.addCleanup(self.systemd.run, "systemctl", "stop", unit, check=False)

        def ok():
            try:
                text = self.systemd.http_get("http://127.0.0.1:%d/metrics" % port)
            except AssertionError:
                return None
            return text if parse_samples(text).get('node_scrape_collector_success{collector="logind"}') == 1 else None
        text = wait_for(ok, timeout=15, interval=0.2)
        journal = self.systemd.run("journalctl", "-u", unit, "--no-pager", "-o", "cat", check=False).stdout
        self.assertTrue(text, "no successful logind scrape:\n" + journal)
        return parse_samples(text)

    def assert_counts_the_session(self, samples):
        self.assertTrue(self.session, "pam_systemd registered no session")
        s = self.session
        series = 'node_logind_sessions{class="%s",remote="%s",seat="%s",type="%s"}' % (  # labels sorted by name
            s["Class"], "true" if s["Remote"] == "yes" else "false", s.get("Seat", ""), s["Type"])
        self.assertEqual(samples.get(series), 1.0, sorted(k for k, v in samples.items() if v))
        self.assertEqual(sum(v for k, v in samples.items() if k.startswith(SESSIONS)), 1.0)
        # Every known combination is written, zeros included: 2 x 7 x 5 per seat, plus the empty seat.
        self.assertEqual(len([k for k in samples if k.startswith(SESSIONS)]) % 70, 0)

    def test_as_root(self):
        self.assert_counts_the_session(self.scrape("hwtest-agent-root", 9581))

    def test_as_a_user_over_the_system_bus(self):
        self.assert_counts_the_session(self.scrape("hwtest-agent-nobody", 9582, user="nobody"))


if __name__ == "__main__":
    unittest.main()
