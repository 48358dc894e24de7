"""The real binary on the real host: values of the basic host collectors are sane
and agree with the host's own tools, the opt-in flags work as node_exporter spells
them, and a textfile directory written by the test is served."""
import os
import re
import socket
import subprocess
import time
import unittest

from hostwatch_testutil import (SOURCE_DIR, Agent, TempDir, check_metrics_with_promtool, parse_samples, require_binary,
                                sample)

BASIC_COLLECTORS = ["cpu", "filefd", "loadavg", "meminfo", "os", "pressure", "stat", "textfile", "time", "timex",
                    "uname", "vmstat"]


class LiveHostTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        cls.tmp.write("good.prom", '# HELP backup_last_success_seconds Last backup.\n'
                                   '# TYPE backup_last_success_seconds gauge\n'
                                   'backup_last_success_seconds{job="db"} 1.7e+09\n')
        cls.tmp.write("bad.prom", 'broken{label="x" 1\n')
        with Agent("--collector.stat.softirq", "--collector.textfile.directory=" + cls.tmp.path) as agent:
            cls.before = time.time()
            cls.text = agent.metrics()
            cls.after = time.time()
        # After stop(): the stderr reader has drained every line the agent wrote.
        cls.log = agent.log()
        cls.samples = parse_samples(cls.text)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)

    def test_basic_collectors_run(self):
        for name in BASIC_COLLECTORS:
            value = sample(self.text, 'node_scrape_collector_success{collector="%s"}' % name)
            self.assertIsNotNone(value, name)
        # these read files every Linux host has; textfile stays successful despite bad.prom, as in
        # node_exporter (the bad file shows in node_textfile_scrape_error and the log, tested below)
        for name in ["cpu", "filefd", "loadavg", "meminfo", "stat", "textfile", "time", "uname", "vmstat"]:
            self.assertEqual(sample(self.text, 'node_scrape_collector_success{collector="%s"}' % name), 1, name)

    def test_memory_is_consistent(self):
        total = self.samples["node_memory_MemTotal_bytes"]
        self.assertGreater(total, 64 * 2**20)
        self.assertLessEqual(self.samples["node_memory_MemAvailable_bytes"], total)
        self.assertLessEqual(self.samples["node_memory_MemFree_bytes"], total)
        with open("/proc/meminfo") as f:
            kb = int(re.search(r"^MemTotal:\s+(\d+) kB", f.read(), re.M).group(1))
        self.assertEqual(total, kb * 1024)

    def test_uname_matches_host(self):
        nodename = subprocess.run(["uname", "-n"], capture_output=True, text=True).stdout.strip()
        release = subprocess.run(["uname", "-r"], capture_output=True, text=True).stdout.strip()
        info = [s for s in self.samples if s.startswith("node_uname_info{")]
        self.assertEqual(len(info), 1, info)
        self.assertIn('nodename="%s"' % nodename, info[0])
        self.assertIn('release="%s"' % release, info[0])
        self.assertIn('sysname="Linux"', info[0])
        self.assertEqual(nodename, socket.gethostname())

    def test_boot_time_is_plausible(self):
        boot = self.samples["node_boot_time_seconds"]
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        self.assertAlmostEqual(boot, self.before - uptime, delta=5)
        self.assertGreater(boot, 946684800)  # after 2000-01-01
        self.assertGreater(self.samples["node_context_switches_total"], 0)
        self.assertGreater(self.samples["node_forks_total"], 0)
        self.assertGreaterEqual(self.samples["node_procs_running"], 1)  # at least the scraping thread

    def test_time_is_now(self):
        t = self.samples["node_time_seconds"]
        self.assertGreaterEqual(t, self.before - 1)
        self.assertLessEqual(t, self.after + 1)
        zone = [s for s in self.samples if s.startswith("node_time_zone_offset_seconds{time_zone=")]
        self.assertEqual(len(zone), 1)
        self.assertEqual(self.samples[zone[0]], -time.timezone if time.localtime(t).tm_isdst == 0 else -time.altzone)

    def test_timex_when_permitted(self):
        if sample(self.text, 'node_scrape_collector_success{collector="timex"}') != 1:
            self.skipTest("adjtimex not permitted in this sandbox")
        self.assertIn(self.samples["node_timex_sync_status"], (0, 1))
        self.assertGreater(self.samples["node_timex_tick_seconds"], 0)
        self.assertGreaterEqual(self.samples["node_timex_maxerror_seconds"], 0)

    def test_filefd_and_os(self):
        with open("/proc/sys/fs/file-nr") as f:
            maximum = float(f.read().split()[2])
        self.assertEqual(self.samples["node_filefd_maximum"], maximum)
        self.assertGreater(self.samples["node_filefd_allocated"], 0)
        if os.path.exists("/etc/os-release") or os.path.exists("/usr/lib/os-release"):
            self.assertTrue(any(s.startswith("node_os_info{") for s in self.samples))

    def test_softirq_flag_enables_vectors(self):
        vectors = {re.search(r'vector="([^"]+)"', s).group(1) for s in self.samples
                   if s.startswith("node_softirqs_total{")}
        self.assertTrue({"hi", "timer", "net_rx", "net_tx", "sched", "rcu"} <= vectors, vectors)

    def test_textfile_serves_good_file_and_reports_bad_one(self):
        self.assertEqual(sample(self.text, 'backup_last_success_seconds{job="db"}'), 1.7e9)
        self.assertEqual(sample(self.text, "node_textfile_scrape_error"), 1)
        good = os.path.join(self.tmp.path, "good.prom")
        self.assertEqual(sample(self.text, 'node_textfile_mtime_seconds{file="%s"}' % good),
                         float(int(os.stat(good).st_mtime)))
        self.assertNotIn("bad.prom\"}", self.text)  # no mtime for the rejected file
        self.assertIn("bad.prom", self.log)  # and the reason is logged


class DefaultsTest(unittest.TestCase):
    def test_softirq_is_off_by_default_and_textfile_reports_no_error(self):
        with Agent() as agent:
            text = agent.metrics()
        self.assertNotIn("node_softirqs_total", text)
        self.assertEqual(sample(text, "node_textfile_scrape_error"), 0)
        self.assertIsNotNone(sample(text, "node_vmstat_pgfault"))
        self.assertNotIn("node_vmstat_nr_free_pages", text)

    def test_no_collector_flags_remove_families(self):
        with Agent("--no-collector.meminfo", "--no-collector.uname", "--collector.vmstat.fields=^nr_free_pages$") as a:
            text = a.metrics()
        self.assertNotIn("node_memory_MemTotal_bytes", text)
        self.assertNotIn("node_uname_info", text)
        self.assertIsNotNone(sample(text, "node_vmstat_nr_free_pages"))
        self.assertNotIn("node_vmstat_pgfault", text)


# The /proc collectors of issue 17 (docs/collectors/procfs-batch.md) and ethtool, each with the kernel
# file it needs: where the file exists the collector must succeed, elsewhere it is "no data"
# (success 0) without an error line in the log.
PROCFS_BATCH = {
    "processes": "/proc/sys/kernel/pid_max",
    "interrupts": "/proc/interrupts",
    "softirqs": "/proc/softirqs",
    "softnet": "/proc/net/softnet_stat",
    "schedstat": "/proc/schedstat",
    "udp_queues": "/proc/net/udp",
    "kernel_hung": "/proc/sys/kernel/hung_task_detect_count",
    "arp": "/proc/net/arp",
    "ethtool": "/sys/class/net",
}



def assert_success_where_path_exists(test, collectors):
    """collectors: {name: path}. Where the path exists the collector succeeded in test.text;
    elsewhere it had no data (success 0) and test.log has no error or warning about it."""
    for name, path in collectors.items():
        success = sample(test.text, 'node_scrape_collector_success{collector="%s"}' % name)
        if os.path.exists(path):
            test.assertEqual(success, 1, "%s with %s present; log:\n%s" % (name, path, test.log))
        else:
            test.assertEqual(success, 0, name)
            test.assertNotRegex(test.log, r"(?i)(error|warn).*%s" % name)


class ProcfsBatchLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        # A datagram nobody reads waits in the receive queue that udp_queues sums.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as unread:
            unread.bind(("127.0.0.1", 0))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
                sender.sendto(b"x" * 100, unread.getsockname())
            with Agent(*["--collector." + name for name in PROCFS_BATCH]) as agent:
                cls.text = agent.metrics()
        cls.log = agent.log()

    def test_each_collector_succeeds_where_its_file_exists(self):
        assert_success_where_path_exists(self, PROCFS_BATCH)

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)

    def test_processes_counts_this_test(self):
        self.assertGreaterEqual(sample(self.text, "node_processes_pids"), 2)  # this test and the agent
        self.assertGreaterEqual(sample(self.text, "node_processes_threads"), sample(self.text, "node_processes_pids"))
        with open("/proc/sys/kernel/pid_max") as f:
            self.assertEqual(sample(self.text, "node_processes_max_processes"), int(f.read()))

    def test_interrupts_has_the_local_timer_of_cpu0(self):
        if os.uname().machine in ("x86_64", "i686"):
            self.assertIsNotNone(sample(self.text, 'node_interrupts_total{cpu="0",devices="",'
                                                   'info="Local timer interrupts",type="LOC"}'))

    def test_softirqs_has_every_cpu(self):
        cpus = {re.search(r'cpu="(\d+)"', l).group(1) for l in self.text.splitlines()
                if l.startswith('node_softirqs_functions_total{') and 'type="TIMER"' in l}
        with open("/proc/softirqs") as f:
            self.assertEqual(len(cpus), len(f.readline().split()))  # one column per CPU

    def test_udp_queues_sees_an_unread_datagram(self):
        self.assertGreaterEqual(sample(self.text, 'node_udp_queues{ip="v4",queue="rx"}'), 100)

    def test_arp_netlink_and_proc_paths_agree(self):
        with Agent("--collector.arp", "--no-collector.arp.netlink") as agent:
            proc_text = agent.metrics()
        self.assertEqual(sample(proc_text, 'node_scrape_collector_success{collector="arp"}'), 1)
        entries = lambda text: sorted(l for l in text.splitlines() if l.startswith("node_arp_entries{"))
        self.assertEqual(entries(self.text), entries(proc_text))


class TcpstatLiveTest(unittest.TestCase):
    """tcpstat has no fixture in node_exporter's tree: it is checked against sockets this test opens."""

    def test_counts_a_listener_and_an_established_connection(self):
        require_binary()
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            with socket.create_connection(listener.getsockname()) as client:
                server, _ = listener.accept()
                with server:
                    with Agent("--collector.tcpstat") as agent:
                        text = agent.metrics()
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="tcpstat"}'), 1)
        self.assertGreaterEqual(sample(text, 'node_tcp_connection_states{state="listen"}'), 1)
        # client and server ends of the test's connection
        self.assertGreaterEqual(sample(text, 'node_tcp_connection_states{state="established"}'), 2)
        self.assertIsNotNone(sample(text, 'node_tcp_connection_states{state="rx_queued_bytes"}'))
        check_metrics_with_promtool(self, text)


# The sysfs cpu/node collectors of issue 17 (docs/collectors/cpufreq.md), each with the sysfs
# path it needs: succeed where it exists, "no data" (success 0) without a log line elsewhere.
CPU_NODE_SYSFS = {
    "cpufreq": "/sys/devices/system/cpu/cpu0/cpufreq",
    "cpu_vulnerabilities": "/sys/devices/system/cpu/vulnerabilities",
    "meminfo_numa": "/sys/devices/system/node/node0",
}


class CpuNodeSysfsLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        with Agent(*["--collector." + name for name in CPU_NODE_SYSFS]) as agent:
            cls.text = agent.metrics()
        cls.log = agent.log()

    def test_each_collector_succeeds_where_its_path_exists(self):
        assert_success_where_path_exists(self, CPU_NODE_SYSFS)

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)

    def test_one_vulnerability_series_per_sysfs_file(self):
        path = CPU_NODE_SYSFS["cpu_vulnerabilities"]
        if not os.path.isdir(path):
            self.skipTest("no " + path)
        series = [l for l in self.text.splitlines() if l.startswith("node_cpu_vulnerabilities_info{")]
        self.assertEqual(len(series), len(os.listdir(path)))

    def test_numa_node0_total_matches_sysfs(self):
        path = CPU_NODE_SYSFS["meminfo_numa"]
        if not os.path.isdir(path):
            self.skipTest("no " + path)
        with open(os.path.join(path, "meminfo")) as f:
            kb = int(re.search(r"MemTotal:\s+(\d+) kB", f.read()).group(1))
        self.assertEqual(sample(self.text, 'node_memory_numa_MemTotal{node="0"}'), kb * 1024)


# The sysfs sensor collectors of issue 17 (docs/collectors/sensors.md): hwmon has no data without
# /sys/class/hwmon (a VM) and succeeds where it exists; thermal_zone succeeds either way (with no
# series when there are no zones, as node_exporter). Neither may log an error or a warning.
class SensorsLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        with Agent("--collector.hwmon", "--collector.thermal_zone", "--log.level=debug") as agent:
            cls.text = agent.metrics()
        cls.log = agent.log()

    def test_hwmon_succeeds_where_the_class_exists_else_no_data(self):
        success = sample(self.text, 'node_scrape_collector_success{collector="hwmon"}')
        if os.path.isdir("/sys/class/hwmon"):
            self.assertEqual(success, 1, self.log)
            if os.listdir("/sys/class/hwmon"):
                self.assertIsNotNone(re.search(r"^node_hwmon_", self.text, re.M), "hwmon present but no series")
        else:
            self.assertEqual(success, 0)
            self.assertEqual(sample(self.text, 'hostwatch_collector_no_data{collector="hwmon"}'), 1)
            self.assertIn('msg="collector returned no data" name=hwmon', self.log)

    def test_thermal_zone_succeeds(self):
        self.assertEqual(sample(self.text, 'node_scrape_collector_success{collector="thermal_zone"}'), 1, self.log)
        zones = [n for n in os.listdir("/sys/class/thermal") if re.match(r"thermal_zone\d", n)] \
            if os.path.isdir("/sys/class/thermal") else []
        self.assertEqual(len(re.findall(r"^node_thermal_zone_temp\{", self.text, re.M)), len(zones))

    def test_no_error_or_warning_logged(self):
        self.assertNotRegex(self.log, r'level=(error|warn).*name=(hwmon|thermal_zone)')

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)

# The sysfs hardware collectors of issue 17 (firmware, memory errors, power, watchdog): on a
# host without that hardware (a VM) each is "no data" or a success without series, never a
# failure or a warning in the log; where the hardware is there, each succeeds.
SYSFS_HARDWARE = {
    "dmi": "/sys/class/dmi/id",
    "edac": None,  # succeeds without /sys/devices/system/edac, as node_exporter
    "powersupplyclass": "/sys/class/power_supply",
    "rapl": "/sys/class/powercap",
    "watchdog": "/sys/class/watchdog",
}


class SysfsHardwareLiveTest(unittest.TestCase):
    def test_each_collector_succeeds_or_has_no_data_without_a_log_line(self):
        require_binary()
        with Agent(*["--collector." + name for name in SYSFS_HARDWARE]) as agent:
            text = agent.metrics()
        log = agent.log()
        for name, path in SYSFS_HARDWARE.items():
            success = sample(text, 'node_scrape_collector_success{collector="%s"}' % name)
            no_data = sample(text, 'hostwatch_collector_no_data{collector="%s"}' % name)
            if path is None or os.path.isdir(path):
                self.assertTrue(success == 1 or (name in ("dmi", "rapl") and no_data == 1),
                                "%s: success %r no_data %r; log:\n%s" % (name, success, no_data, log))
            else:
                self.assertEqual((success, no_data), (0, 1), name)
            self.assertNotRegex(log, r'msg="collector (failed|degraded)" name=%s ' % name)
        check_metrics_with_promtool(self, text)


class PowerSupplyFlagTest(unittest.TestCase):
    def test_ignored_supplies_takes_node_exporters_flag_spelling(self):
        require_binary()
        sysfs = os.path.join(SOURCE_DIR, "tests", "fixtures", "powersupplyclass", "sys")
        with Agent("--path.sysfs=" + sysfs, "--collector.powersupply.ignored-supplies=^BAT") as agent:
            text = agent.metrics()
        self.assertEqual(sample(text, 'node_power_supply_online{power_supply="AC"}'), 0)
        self.assertNotIn('power_supply="BAT0"', text)


if __name__ == "__main__":
    unittest.main()


# bonding, nvme and selinux (issue 17), on by default. bonding and nvme have no data where their
# sysfs class is missing (no bonding module, no NVMe driver: this VM); selinux always succeeds,
# with node_selinux_enabled 0 where there is no writable selinuxfs mount. None logs an error.
# tapestats, fibrechannel and bcache (issue 18), on by default too, have no data without their
# sysfs directory in the same way; so do xfs, btrfs and zfs without their module's directory, ipvs
# without the ip_vs module and infiniband without an RDMA device.
SYSFS_NO_DATA_WITHOUT = {"bonding": "/sys/class/net/bonding_masters", "nvme": "/sys/class/nvme",
                         "tapestats": "/sys/class/scsi_tape", "fibrechannel": "/sys/class/fc_host",
                         "bcache": "/sys/fs/bcache", "xfs": "/sys/fs/xfs", "btrfs": "/sys/fs/btrfs",
                         "zfs": "/proc/spl/kstat/zfs", "ipvs": "/proc/net/ip_vs_stats",
                         "infiniband": "/sys/class/infiniband"}


class BondingNvmeSelinuxLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        with Agent("--log.level=debug") as agent:
            cls.text = agent.metrics()
        cls.log = agent.log()

    def test_sysfs_class_collectors_succeed_or_have_no_data(self):
        for name, path in SYSFS_NO_DATA_WITHOUT.items():
            success = sample(self.text, 'node_scrape_collector_success{collector="%s"}' % name)
            if os.path.exists(path):
                self.assertEqual(success, 1, "%s with %s present; log:\n%s" % (name, path, self.log))
            else:
                self.assertEqual(success, 0, name)
                self.assertRegex(self.log, r'msg="collector returned no data" name=%s ' % name)
            self.assertNotRegex(self.log, r'level=(error|warn).*name=%s ' % name)

    def test_selinux_succeeds_and_says_whether_it_is_enabled(self):
        self.assertEqual(sample(self.text, 'node_scrape_collector_success{collector="selinux"}'), 1, self.log)
        enabled = os.path.exists("/sys/fs/selinux/enforce")
        self.assertEqual(sample(self.text, "node_selinux_enabled"), 1 if enabled else 0)
        if not enabled:
            self.assertNotIn("node_selinux_current_mode", self.text)
        self.assertNotRegex(self.log, r"level=(error|warn).*selinux")

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)


# The memory and kernel collectors of issue 18: each succeeds where its file exists (slabinfo: where the
# agent, running as this test's user, can read it), else no data without an error line.
MEMORY_PROC = {
    "buddyinfo": "/proc/buddyinfo",
    "zoneinfo": "/proc/zoneinfo",
    "ksmd": "/sys/kernel/mm/ksm",
    "slabinfo": "/proc/slabinfo" if os.access("/proc/slabinfo", os.R_OK) else "/nonexistent/slabinfo",
    "sysctl": "/proc/sys/kernel/threads-max",
}


class MemoryProcLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        with Agent(*["--collector." + name for name in MEMORY_PROC],
                   "--collector.sysctl.include=kernel.threads-max fs.file-nr:allocated,unused,max") as agent:
            cls.text = agent.metrics()
        cls.log = agent.log()

    def test_each_collector_succeeds_where_its_file_exists(self):
        assert_success_where_path_exists(self, MEMORY_PROC)

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)

    def test_sysctl_reads_the_live_values(self):
        with open("/proc/sys/kernel/threads-max") as f:
            self.assertEqual(sample(self.text, "node_sysctl_kernel_threads_max"), int(f.read()))
        with open("/proc/sys/fs/file-nr") as f:
            self.assertEqual(sample(self.text, "node_sysctl_fs_file_nr_max"), int(f.read().split()[2]))


# The NFS collectors of issue 18: nfs and nfsd (on by default) have no data without the kernel's NFS
# client or server statistics file (this VM: neither module is loaded); mountstats (off by default)
# succeeds wherever /proc/self/mountstats exists, without series when nothing is NFS-mounted.
NFS_PROC = {"nfs": "/proc/net/rpc/nfs", "nfsd": "/proc/net/rpc/nfsd", "mountstats": "/proc/self/mountstats"}


class NfsLiveTest(unittest.TestCase):
    def test_each_collector_succeeds_where_its_file_exists_else_has_no_data(self):
        require_binary()
        with Agent("--collector.mountstats") as agent:
            self.text = agent.metrics()
        self.log = agent.log()
        assert_success_where_path_exists(self, NFS_PROC)
        for name, path in NFS_PROC.items():
            no_data = sample(self.text, 'hostwatch_collector_no_data{collector="%s"}' % name)
            self.assertEqual(no_data, 0 if os.path.exists(path) else 1, name)
            self.assertNotRegex(self.log, r'msg="collector (failed|degraded)" name=%s ' % name)
        check_metrics_with_promtool(self, self.text)


# dmmultipath and bcachefs (on by default) and cgroups and pcidevice (off), issue 18. dmmultipath
# succeeds wherever /sys/block exists (without series on a host with no multipath device, this VM);
# bcachefs has no data unless a bcachefs filesystem is mounted (a /sys/fs/bcachefs/<uuid> directory).
class MultipathPciCgroupsBcachefsLiveTest(unittest.TestCase):
    def test_each_collector_succeeds_where_its_interface_exists_else_has_no_data(self):
        require_binary()
        with Agent("--collector.cgroups", "--collector.pcidevice", "--log.level=debug") as agent:
            self.text = agent.metrics()
        self.log = agent.log()
        assert_success_where_path_exists(self, {"dmmultipath": "/sys/block", "cgroups": "/proc/cgroups",
                                                "pcidevice": "/sys/bus/pci/devices"})
        mounted = os.path.isdir("/sys/fs/bcachefs") and any(
            os.path.isdir(os.path.join("/sys/fs/bcachefs", e)) for e in os.listdir("/sys/fs/bcachefs"))
        self.assertEqual(sample(self.text, 'hostwatch_collector_no_data{collector="bcachefs"}'), 0 if mounted else 1)
        self.assertNotRegex(self.log, r'msg="collector (failed|degraded)" name=(dmmultipath|cgroups|pcidevice|bcachefs) ')
        check_metrics_with_promtool(self, self.text)
