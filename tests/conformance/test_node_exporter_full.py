"""What Grafana's "Node Exporter Full" dashboard (grafana.com 1860) would miss after switching.

Of the metric names that dashboard queries (node_exporter_full_metrics.txt in the shared reference
material), lists those hostwatch cannot produce, and fails when one of them belongs to a collector
hostwatch has: only collectors still missing from hostwatch (node_exporter parity II) may leave a
panel blank.

"Can produce" means: emitted by the agent on node_exporter's fixture tree with upstream's end-to-end
flags (as the conformance test runs it); or on this machine with every collector enabled and the
netstat and vmstat field filters opened (the dashboard asks users to widen them); or, for meminfo's
names (one per /proc/meminfo field, so hardware decides which exist), emitted from this machine's
/proc/meminfo with the missing fields added; or, for hwmon's names (one per sensor file, so the
chip decides), emitted from a one-chip sysfs tree holding the missing sensor files; or, for the collectors no fixture tree can feed (D-Bus,
netlink, ioctl: tested against the real system by their own integration tests, named below), the
name is compiled into the binary.
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

import test_node_exporter_conformance as conformance
from hostwatch_testutil import BINARY, SOURCE_DIR, Agent, require_binary, run_agent

NEF_FILE = os.environ.get("HOSTWATCH_NODE_EXPORTER_FULL_METRICS", os.path.abspath(
    os.path.join(SOURCE_DIR, "..", "shared", "reference", "node_exporter_full_metrics.txt")))

# node_exporter collector of each name the dashboard queries, by prefix (longest prefix wins).
COLLECTOR_OF_PREFIX = {
    "node_memory_numa_": "meminfo_numa", "node_memory_": "meminfo", "node_netstat_": "netstat",
    "node_network_": "netdev", "node_network_up": "netclass", "node_network_info": "netclass",
    "node_network_speed_bytes": "netclass", "node_network_mtu_bytes": "netclass",
    "node_network_carrier": "netclass", "node_network_transmit_queue_length": "netclass",
    "node_disk_": "diskstats", "node_timex_": "timex", "node_sockstat_": "sockstat", "node_hwmon_": "hwmon",
    "node_vmstat_": "vmstat", "node_filesystem_": "filesystem", "node_pressure_": "pressure",
    "node_softnet_": "softnet", "node_processes_": "processes", "node_cpu_scaling_": "cpufreq",
    "node_cpu_": "cpu", "node_systemd_": "systemd", "node_schedstat_": "schedstat", "node_scrape_": "(scrape)",
    "node_procs_": "stat", "node_nf_conntrack_": "conntrack", "node_filefd_": "filefd", "node_entropy_": "entropy",
    "node_cooling_device_": "thermal_zone", "node_thermal_zone_": "thermal_zone", "node_uname_": "uname",
    "node_udp_queues": "udp_queues", "node_time_": "time", "node_textfile_": "textfile",
    "node_tcp_connection_states": "tcpstat", "node_power_supply_": "powersupplyclass", "node_load": "loadavg",
    "node_kernel_hung_": "kernel_hung", "node_intr_total": "stat", "node_interrupts_": "interrupts",
    "node_forks_total": "stat", "node_context_switches_total": "stat", "node_boot_time_seconds": "stat",
    "node_arp_": "arp", "node_softirqs_": "softirqs",
}

# Collectors no fixture tree feeds, and the integration test that runs each against the real system.
REAL_SYSTEM_TESTS = {
    "systemd": "tests/integration/test_systemd_collector.py",
    "tcpstat": "tests/integration/test_host_collectors.py",
    "ethtool": "tests/integration/test_ethtool.py",
}


# Names the dashboard queries that node_exporter 1.12.1 does not export either.
NOT_EXPORTED_BY_NODE_EXPORTER = {
    "node_kernel_hung_tasks": "node_kernel_hung_tasks_total",  # the dashboard's name lacks the suffix
}


def collector_of(name):
    prefixes = [p for p in COLLECTOR_OF_PREFIX if name.startswith(p)]
    return COLLECTOR_OF_PREFIX[max(prefixes, key=len)] if prefixes else None


def family_names(text):
    return set(re.findall(r"^# HELP (\S+)", text, re.M))


def hostwatch_collectors():
    res = run_agent("--help")
    return set(re.findall(r"--collector\.(\w+)(?=[ ,])", res.stdout)) - {"disable"}


class NodeExporterFullTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.collectors = hostwatch_collectors()
        workdir = tempfile.mkdtemp(prefix="hostwatch-nef-")
        try:
            os.makedirs(os.path.join(workdir, "collector"))
            os.symlink(conformance.fixture_tree_for_agent(workdir), os.path.join(workdir, "collector", "fixtures"))
            old_cwd = os.getcwd()
            os.chdir(workdir)  # relative textfile path, as the conformance test runs the agent
            try:
                with Agent(*conformance.build_flags("collector/fixtures", conformance.supported_flags())) as agent:
                    cls.on_fixtures = family_names(agent.metrics())
            finally:
                os.chdir(old_cwd)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        wide_open = ["--collector.netstat.fields=.*", "--collector.vmstat.fields=.*"]
        with Agent(*["--collector." + c for c in sorted(cls.collectors)] + wide_open) as agent:
            cls.on_host = family_names(agent.metrics())
        with open(NEF_FILE) as f:
            cls.wanted = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        cls.on_meminfo = cls.meminfo_with_fields([n for n in cls.wanted if collector_of(n) == "meminfo"])
        cls.on_hwmon = cls.hwmon_with_sensors([n for n in cls.wanted if collector_of(n) == "hwmon"])
        with open(BINARY, "rb") as f:
            cls.binary = f.read()

    @classmethod
    def meminfo_with_fields(cls, names):
        """Families the meminfo collector emits from this machine's /proc/meminfo plus a 0 kB line for
        each wanted field it lacks (DirectMap1G exists only where the CPU maps 1 GiB pages)."""
        procfs = tempfile.mkdtemp(prefix="hostwatch-nef-proc-")
        try:
            with open("/proc/meminfo") as f:
                text = f.read()
            for name in names:
                field = re.fullmatch(r"node_memory_(\w+)_bytes", name)
                if field and name not in cls.on_host and not re.search(r"^%s:" % field.group(1), text, re.M):
                    text += "%s:%s0 kB\n" % (field.group(1), " " * 8)
            with open(os.path.join(procfs, "meminfo"), "w") as f:
                f.write(text)
            with Agent("--collector.disable-defaults", "--collector.meminfo", "--path.procfs=" + procfs) as agent:
                return family_names(agent.metrics())
        finally:
            shutil.rmtree(procfs, ignore_errors=True)

    @classmethod
    def hwmon_with_sensors(cls, names):
        """Families the hwmon collector emits from one chip with a sensor file for each wanted name
        (node_hwmon_temp_crit_hyst_celsius <- temp1_crit_hyst, node_hwmon_fan_rpm <- fan1_input)."""
        sysfs = tempfile.mkdtemp(prefix="hostwatch-nef-sys-")
        try:
            chip = os.path.join(sysfs, "class", "hwmon", "hwmon0")
            os.makedirs(chip)
            with open(os.path.join(chip, "name"), "w") as f:
                f.write("nef\n")
            for name in names:
                m = re.fullmatch(r"node_hwmon_(temp|fan|in|curr|power|energy|humidity)_(?:(\w+)_)?"
                                 r"(celsius|rpm|volts|amps|watts|joules|ratio)", name)
                if m:
                    with open(os.path.join(chip, "%s1_%s" % (m.group(1), m.group(2) or "input")), "w") as f:
                        f.write("1000\n")
            with Agent("--collector.disable-defaults", "--collector.hwmon", "--path.sysfs=" + sysfs) as agent:
                return family_names(agent.metrics())
        finally:
            shutil.rmtree(sysfs, ignore_errors=True)

    def producible(self, name):
        if name in self.on_fixtures or name in self.on_host or name in self.on_meminfo or name in self.on_hwmon:
            return True
        return collector_of(name) in REAL_SYSTEM_TESTS and name.encode() + b"\0" in self.binary

    def test_only_collectors_hostwatch_lacks_leave_panels_blank(self):
        missing = [n for n in self.wanted if not self.producible(n) and n not in NOT_EXPORTED_BY_NODE_EXPORTER]
        by_collector = {}
        for name in missing:
            by_collector.setdefault(collector_of(name) or "(unknown)", []).append(name)
        print("\nNode Exporter Full queries %d names; hostwatch cannot produce %d:" % (len(self.wanted), len(missing)))
        for collector, names in sorted(by_collector.items()):
            print("  %s: %s" % (collector, ", ".join(names)))
        wrongly_missing = {c: n for c, n in by_collector.items() if c in self.collectors or c.startswith("(")}
        self.assertEqual(wrongly_missing, {}, "names of collectors hostwatch has (or of no known collector)")

    def test_names_node_exporter_lacks_have_a_replacement_hostwatch_produces(self):
        for name, replacement in NOT_EXPORTED_BY_NODE_EXPORTER.items():
            self.assertIn(name, self.wanted)
            self.assertTrue(self.producible(replacement), replacement)

    def test_every_name_is_attributed_to_a_collector(self):
        self.assertEqual([n for n in self.wanted if collector_of(n) is None], [])


if __name__ == "__main__":
    unittest.main()
