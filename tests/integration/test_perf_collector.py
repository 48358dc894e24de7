"""The perf collector on the machine running the tests (a VM: usually no PMU, so no hardware or cache
counters, but software counters): as root it counts context switches and page faults per CPU; as an
unprivileged user under kernel.perf_event_paranoid > 0 the kernel refuses system-wide counters, and
under the packaged unit's seccomp allow-list (@system-service has no perf_event_open) the syscall is
refused: both are "no data" logged at debug, never an error."""
import os
import re
import shutil
import unittest

from hostwatch_testutil import BINARY, Agent, parse_samples, require_binary, wait_for
from test_systemd_collector import packaged_hardening
from throwaway_root import boot_systemd_or_skip

FLAGS = ["--collector.disable-defaults", "--collector.perf", "--log.level=debug"]


def per_cpu_sum(samples, family):
    return sum(v for k, v in samples.items() if k.startswith(family + "{"))


class PerfAsRootTest(unittest.TestCase):
    def test_software_counters_count_and_nothing_is_logged_above_debug(self):
        require_binary()
        if os.geteuid() != 0:
            self.skipTest("system-wide counters need root (or CAP_PERFMON) here")
        with Agent(*FLAGS) as agent:
            first = parse_samples(agent.metrics())
            for _ in range(20):
                agent.metrics()  # each request is work for some CPU: context switches, page faults
            second = parse_samples(agent.metrics())
            log = agent.log()
        self.assertEqual(second['node_scrape_collector_success{collector="perf"}'], 1.0, log)
        cpus = [k for k in second if k.startswith("node_perf_context_switches_total{")]
        self.assertEqual(len(cpus), os.cpu_count())
        for family in ["node_perf_context_switches_total", "node_perf_page_faults_total"]:
            self.assertGreater(per_cpu_sum(second, family), per_cpu_sum(first, family), family)
        self.assertFalse(re.findall(r"level=(warn|error).*", log))


class PerfRefusedTest(unittest.TestCase):
    def test_unprivileged_under_perf_event_paranoid_is_no_data(self):
        require_binary()
        with open("/proc/sys/kernel/perf_event_paranoid") as f:
            paranoid = int(f.read())
        if paranoid <= 0 or os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root to drop to nobody, and perf_event_paranoid > 0 (here %d)" % paranoid)
        prefix = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all")
        with Agent(*FLAGS, prefix=prefix) as agent:
            samples = parse_samples(agent.metrics())
            log = wait_for(lambda: "name=perf" in agent.log() and agent.log(), timeout=5)  # logged after the reply
        self.assertEqual(samples['node_scrape_collector_success{collector="perf"}'], 0.0)
        self.assertFalse([k for k in samples if k.startswith("node_perf_")])
        self.assertRegex(log, r'level=debug msg="collector returned no data" name=perf err="perf: no counter can be '
                              r'opened: perf_event_open: [^"]*\(kernel.perf_event_paranoid=%d\)"' % paranoid)
        self.assertFalse(re.findall(r"level=(warn|error).*", log))

    def test_under_the_packaged_units_sandbox_is_no_data(self):
        require_binary()
        sd = boot_systemd_or_skip("perf sandbox")
        self.addCleanup(sd.close)
        # The packaged unit's sandbox: no capabilities (CAP_PERFMON gone) and the seccomp allow-list.
        props = ["--property=" + p for p in packaged_hardening()]
        sd.run("systemd-run", "--unit=hwtest-perf", "--property=Type=exec", *props, BINARY,
               "--web.listen-address=127.0.0.1:9591", *FLAGS)
        def scrape():
            try:
                return parse_samples(sd.http_get("http://127.0.0.1:9591/metrics"))
            except AssertionError:
                return None
        samples = wait_for(scrape, timeout=15, interval=0.2)
        journal = sd.run("journalctl", "-u", "hwtest-perf", "--no-pager", "-o", "cat", check=False).stdout
        self.assertEqual(samples['node_scrape_collector_success{collector="perf"}'], 0.0, journal)
        self.assertRegex(journal, r'msg="collector returned no data" name=perf err="perf: no counter can be opened')
        self.assertNotIn("level=error", journal)
        self.assertNotIn("level=warn", journal)


if __name__ == "__main__":
    unittest.main()
