"""What the packaged unit's sandbox must still allow (issue 16): every default
collector, timex included, and an HTTP check, checked under a real systemd by
test_packaging.SystemdServiceTest (standard library only).

The unit (packaging/hostwatch.service) filters system calls to an allow-list,
keeps no capabilities, makes /proc and /sys read-only, denies writable
executable memory and limits address families; any of these can silently cost
a collector its data or a check its library, which no test outside systemd sees.
"""
import os
import re
import sys
import time

import target_server
from hostwatch_testutil import Process, parse_samples

# Default collectors that may have nothing to report on the machine running the test, each with the
# kernel file (the first it reads) whose absence is the only acceptable reason: it depends on the
# kernel, not on the unit (this machine has no /proc/mdstat; the other two need nf_conntrack loaded
# and PSI enabled). Such a collector reports node_scrape_collector_success 0 with a "no data"
# status, logged at debug, never "collector failed" nor a permission error. When root in the booted
# system can read the file the unit must too (ProtectKernelTunables= and friends make /proc
# read-only, not unreadable), so the collector must succeed; no other default collector may fail.
NO_DATA_ONLY_WITHOUT = {
    "conntrack": "/proc/sys/net/netfilter/nf_conntrack_count",  # nf_conntrack not loaded
    "mdadm": "/proc/mdstat",  # no md (software RAID) driver in the kernel
    "pressure": "/proc/pressure/cpu",  # no CONFIG_PSI, or psi=0 (the read fails EOPNOTSUPP)
    "schedstat": "/proc/schedstat",  # no CONFIG_SCHEDSTATS
    "kernel_hung": "/proc/sys/kernel/hung_task_detect_count",  # kernels before 6.13
    "bonding": "/sys/class/net/bonding_masters",  # bonding module not loaded
    "nvme": "/sys/class/nvme",  # no NVMe driver (no NVMe controller)
    "cpufreq": "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",  # no cpufreq driver (VMs)
    "dmi": "/sys/class/dmi/id/sys_vendor",  # no SMBIOS tables (VMs without firmware DMI, ARM boards)
    "rapl": "/sys/class/powercap/intel-rapl:0/energy_uj",  # no RAPL zones (VMs); root-only since Linux 5.10
    "hwmon": "/sys/class/hwmon/hwmon0/name",  # no hwmon drivers (a VM): no /sys/class/hwmon
    "tapestats": "/sys/module/st/parameters/buffer_kbs",  # no SCSI tape driver (st): no /sys/class/scsi_tape
    "fibrechannel": "/sys/module/scsi_transport_fc/parameters/dev_loss_tmo",  # no FC transport: no /sys/class/fc_host
    "bcache": "/sys/fs/bcache/register",  # bcache module not loaded: no /sys/fs/bcache
    "xfs": "/sys/fs/xfs/stats/stats",  # xfs module not loaded: no /sys/fs/xfs
    "btrfs": "/sys/fs/btrfs/features/extended_iref",  # btrfs module not loaded: no /sys/fs/btrfs
    "zfs": "/proc/spl/kstat/zfs/arcstats",  # zfs module not loaded: no /proc/spl/kstat/zfs
    "nfs": "/proc/net/rpc/nfs",  # no NFS client module (nfs) loaded
    "nfsd": "/proc/net/rpc/nfsd",  # no NFS server module (nfsd) loaded
    "ipvs": "/proc/net/ip_vs_stats",  # ip_vs module not loaded
    "infiniband": "/sys/class/infiniband",  # no RDMA/InfiniBand device (no ib_core device registered)
    # No bcachefs filesystem mounted: no /sys/fs/bcachefs/<uuid> (nor the directory without the module).
    "bcachefs": "/sys/fs/bcachefs",
}
# What the node-mixin's clock alerts (NodeClockSkewDetected, NodeClockNotSynchronising) query.
TIMEX_FAMILIES = ["node_timex_offset_seconds", "node_timex_sync_status", "node_timex_maxerror_seconds",
                  "node_timex_estimated_error_seconds"]
# The check's host name, resolved through NSS (/etc/hosts): libcurl answers "localhost" itself.
CHECK_HOST = "hostwatch-check-target.test"
METRICS_URL = "http://127.0.0.1:9555/metrics"
RELOADED_AT = "hostwatch_config_last_reload_success_timestamp_seconds"


class LoopbackTarget(Process):
    """tests/testutil's TargetServer in its own process, on 127.0.0.1 of the
    booted system's network namespace (the host's files): the unit's HTTP check
    target. Its port comes from bind(0)."""

    CODE = ("import sys; sys.path.insert(0, sys.argv[1]); from target_server import Reply, TargetServer; "
            "s = TargetServer({'*': Reply(200, b'ok\\n')}, start=False); "
            "sys.stderr.write('serving on port %d\\n' % s.port); sys.stderr.flush(); s.serve_forever()")

    def __init__(self, systemd):
        testutil = os.path.dirname(os.path.abspath(target_server.__file__))
        super().__init__(systemd.enter(sys.executable, "-c", self.CODE, testutil, net_only=True),
                         name="check target", ready_line=self._port_line)

    def _port_line(self, line):
        m = re.match(r"serving on port (\d+)$", line.strip())
        if m:
            self.port = int(m.group(1))
        return m is not None


class UnitSandboxChecks:
    """Assertions for a unittest.TestCase with self.systemd (a BootedSystemd
    with the package installed and the service running) and self.wait_for."""

    def assert_reload_rereads_the_config_and_refuses_a_broken_one(self, pid, samples):
        """ExecReload: `hostwatch --config.check $HOSTWATCH_OPTS` (same flags, same file, same
        sandbox), then SIGHUP. A good file is re-read by the same process; a broken one makes
        `systemctl reload` fail visibly and the agent keeps serving its old configuration."""
        sd = self.systemd
        reloaded_at = lambda: parse_samples(sd.http_get(METRICS_URL)).get(RELOADED_AT, 0)  # noqa: E731
        before = samples[RELOADED_AT]
        time.sleep(0.01)
        sd.run("systemctl", "reload", "hostwatch")
        self.assertTrue(self.wait_for(lambda: reloaded_at() > before), "reload did not re-read the configuration")
        self.assertEqual(sd.show("hostwatch", "MainPID"), pid)
        self.assertEqual(sd.show("hostwatch", "ActiveState"), "active")
        good_reload = reloaded_at()

        path = sd.path("/etc/hostwatch/hostwatch.yml")
        with open(path) as f:
            good = f.read()
        try:
            with open(path, "a") as f:
                f.write("\nno_such_section: true\n")
            res = sd.run("systemctl", "reload", "hostwatch", check=False)
            journal = sd.run("journalctl", "-u", "hostwatch", "-o", "cat", "--no-pager", check=False).stdout
            self.assertNotEqual(res.returncode, 0, "reload of a broken file succeeded:\n" + journal)
            self.assertRegex(journal, r"hostwatch\.yml:\d+:\d+: no_such_section: unknown key")
            self.assertEqual(sd.show("hostwatch", "ActiveState"), "active")
            self.assertEqual(sd.show("hostwatch", "MainPID"), pid)
            kept = parse_samples(sd.http_get(METRICS_URL))
            self.assertEqual(kept[RELOADED_AT], good_reload, "the broken file reached the agent")
            self.assertEqual(kept["hostwatch_config_last_reload_successful"], 1.0)
            self.assertEqual(kept.get('node_scrape_collector_success{collector="cpu"}'), 1.0)
        finally:
            with open(path, "w") as f:
                f.write(good)
        sd.run("systemctl", "reload", "hostwatch")
        self.assertTrue(self.wait_for(lambda: reloaded_at() > good_reload), "reload after the fix did not re-read")
        self.assertEqual(sd.show("hostwatch", "MainPID"), pid)

    def assert_collectors_and_a_check_work_under_the_unit(self):
        """The unit's sandbox (seccomp allow-list, no capabilities, read-only
        /proc and /sys, MemoryDenyWriteExecute, RestrictAddressFamilies) must
        leave every default collector working, timex included, and an HTTP
        check (libcurl loaded with dlopen(), the target's name from NSS)."""
        sd = self.systemd
        target = LoopbackTarget(sd)
        try:
            with open(sd.path("/etc/hosts"), "a") as f:
                f.write("127.0.0.1 %s\n" % CHECK_HOST)
            self.add_check("http://%s:%d/" % (CHECK_HOST, target.port))
            with open(sd.path("/etc/default/hostwatch"), "a") as f:
                f.write('HOSTWATCH_OPTS="--log.level=debug"\n')  # the "no data" reasons are debug lines
            # The packaged configuration reads Debian's node_exporter textfile directory.
            with open(sd.path("/var/lib/prometheus/node-exporter/from_script.prom"), "w") as f:
                f.write("# TYPE debian_textfile_example gauge\ndebian_textfile_example 1\n")
            sd.run("systemctl", "restart", "hostwatch")
            pid = sd.show("hostwatch", "MainPID")
            samples = self.wait_for(self.checked_samples, timeout=20)
            self.assertTrue(samples, "the check did not run under the unit:\n" + self.journal(pid))
            self.assertEqual(samples.get("debian_textfile_example"), 1, "textfile directory not read")
            self.assert_every_default_collector_succeeds(samples, pid)
            self.assert_check_succeeded(samples, pid)
            self.assert_clock_still_cannot_be_set()
        finally:
            target.stop()

    def add_check(self, url):
        """The packaged configuration (comments only: every default) plus one check (interval 2s)."""
        path = self.systemd.path("/etc/hostwatch/hostwatch.yml")
        with open(path) as f:
            text = f.read()
        self.assertIsNone(re.search(r"(?m)^http_checks:", text), "the packaged conffile now sets http_checks")
        text += ("\nhttp_checks:\n  checks:\n    - {name: under-unit, url: '%s', interval: 2s, timeout: 1s}\n" % url)
        with open(path, "w") as f:
            f.write(text)

    def checked_samples(self):
        """A scrape, once the check has a result."""
        samples = parse_samples(self.systemd.http_get("http://127.0.0.1:9555/metrics"))
        return samples if any(k.startswith('probe_success{check="under-unit"') for k in samples) else None

    def journal(self, pid):
        return self.systemd.run("journalctl", "_PID=" + pid, "-o", "cat", "--no-pager", check=False).stdout

    def assert_every_default_collector_succeeds(self, samples, pid):
        defaults = set(re.findall(r"Enable the (\w+) collector \(default: enabled\)",
                                  self.systemd.run("/usr/bin/hostwatch", "--help").stdout))
        success = {m.group(1): v for k, v in samples.items()
                   if (m := re.fullmatch(r'node_scrape_collector_success\{collector="(\w+)"\}', k))}
        # The packaged conffile turns the systemd collector on, as Debian's node_exporter package does.
        self.assertEqual(set(success), defaults | {"systemd"})
        may_lack = {c for c, path in NO_DATA_ONLY_WITHOUT.items()
                    if self.systemd.run("cat", path, check=False).returncode != 0}
        failed = sorted(c for c, v in success.items() if v != 1)
        # Their reasons may reach journald after the scrape's answer.
        self.wait_for(lambda: all("name=%s " % c in self.journal(pid) for c in failed), timeout=5)
        log = self.journal(pid)
        no_data = dict(re.findall(r'msg="collector returned no data" name=(\w+) err="([^"]*)"', log))
        print("\ncollectors with no data under the unit: %r" % no_data)
        for collector in failed:
            self.assertIn(collector, may_lack, "%s: success 0 under the unit:\n%s" % (collector, log))
            self.assertIn(collector, no_data, "%s failed rather than had no data:\n%s" % (collector, log))
            self.assertNotRegex(no_data[collector], "not permitted|Permission denied", collector)
        self.assertNotIn('msg="collector failed"', log)
        self.assertNotIn('msg="collector degraded"', log)
        for family in TIMEX_FAMILIES:
            self.assertIn(family, samples, "timex under the unit:\n" + log)

    def assert_check_succeeded(self, samples, pid):
        """probe_success 1 proves the name resolved and the target answered 200
        under the unit; libcurl is then mapped, with MemoryDenyWriteExecute on."""
        sd = self.systemd
        series = {k.partition("{")[0]: v for k, v in samples.items() if '{check="under-unit"' in k}
        self.assertEqual(series.get("probe_success"), 1.0, "%r\n%s" % (series, self.journal(pid)))
        self.assertEqual(series.get("probe_http_status_code"), 200.0)
        self.assertEqual(series.get("probe_ip_protocol"), 4.0)
        self.assertEqual(sd.show("hostwatch", "MemoryDenyWriteExecute"), "yes")
        self.assertIn("AF_INET", sd.show("hostwatch", "RestrictAddressFamilies").split())
        maps = sd.run("cat", "/proc/%s/maps" % pid).stdout
        self.assertIn("/libcurl.so", maps, "libcurl is not mapped in the agent")

    def assert_clock_still_cannot_be_set(self):
        """Reading the clock state is allowed; setting it is not: no capability
        at all (CAP_SYS_TIME is what any adjtimex mode change needs), and of
        the @clock calls only adjtimex and clock_adjtime(64) are let through."""
        sd = self.systemd
        self.assertEqual(sd.show("hostwatch", "CapabilityBoundingSet"), "")
        allowed = sd.show("hostwatch", "SystemCallFilter")
        self.assertFalse(allowed.startswith("~"), "the unit's filter should be an allow-list")
        listing = sd.run("systemd-analyze", "syscall-filter", "--no-pager", "@clock").stdout.splitlines()[1:]
        clock = {line.strip() for line in listing if line.strip() and not line.strip().startswith("#")}
        self.assertIn("settimeofday", clock)
        self.assertLessEqual(clock & set(allowed.split()), {"adjtimex", "clock_adjtime", "clock_adjtime64"})

