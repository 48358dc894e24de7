"""Conformance with node_exporter's own end-to-end expectation.

Runs the real hostwatch binary on node_exporter's fixture tree exactly the way
upstream's end-to-end-test.sh runs node_exporter (same --path.* roots, same
collector and filter flags where hostwatch has them, textfile directory given
as the relative path collector/fixtures/textfile/two_metric_files/ so that the
"Metric read from ..." HELP texts match), applies upstream's skip regex, and
requires that every metric family hostwatch emits that also appears in
e2e-output.txt has exactly the same lines: HELP, TYPE, labels, values, order.

The set of compared families is derived from the agent's output, so it grows
by itself as collectors land. Families hostwatch emits that e2e lacks are
listed, not failed. Every family of e2e-output.txt must be emitted (hostwatch has
all of node_exporter 1.12.1's collectors), so a collector that silently stops
emitting fails too.

Without the fixture tree the test prints SKIPPED and exits 77 (ctest skip),
unless CI is set, in which case it fails.
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

from hostwatch_testutil import BINARY, NODE_EXPORTER_FIXTURES, SKIP_EXIT_CODE, Agent, require_binary, run_agent

E2E_FILE = os.path.join(NODE_EXPORTER_FIXTURES, "e2e-output.txt") if NODE_EXPORTER_FIXTURES else ""
if not E2E_FILE or not os.path.isfile(E2E_FILE):
    msg = ("SKIPPED: node_exporter fixture tree not found (HOSTWATCH_NODE_EXPORTER_FIXTURES=%r); "
           "conformance NOT checked" % NODE_EXPORTER_FIXTURES)
    print("\n" + "!" * len(msg) + "\n" + msg + "\n" + "!" * len(msg), file=sys.stderr)
    if os.environ.get("CI"):
        raise SystemExit(1)
    raise SystemExit(SKIP_EXIT_CODE)

# upstream end-to-end-test.sh: sample lines of these families are live values and are dropped.
SKIP_RE = re.compile(r"^(go_|node_exporter_build_info|node_scrape_collector_duration_seconds|process_|"
                     r"node_textfile_mtime_seconds|node_time_(zone|seconds)|"
                     r"node_network_(receive|transmit)_(bytes|packets)_total)")

# Relative textfile directory as upstream passes it; the test runs the agent from a
# directory where collector/fixtures is a symlink to the fixture tree.
TEXTFILE_DIR = "collector/fixtures/textfile/two_metric_files/"

# Upstream's flags, each used only if hostwatch has it (checked against --help), so that
# new collectors and options join the comparison without editing this file.
UPSTREAM_COLLECTORS = (
    "arp bcache bcachefs bonding btrfs buddyinfo cgroups conntrack cpu cpufreq cpu_vulnerabilities diskstats dmi "
    "drbd edac entropy fibrechannel filefd hwmon infiniband interrupts ipvs kernel_hung ksmd lnstat loadavg mdadm "
    "meminfo meminfo_numa mountstats netdev netstat nfs nfsd pcidevice pressure processes qdisc rapl schedstat "
    "slabinfo sockstat softirqs stat sysctl textfile thermal_zone udp_queues vmstat watchdog wifi xfrm xfs zfs zoneinfo"
).split()
UPSTREAM_DISABLED = ["filesystem", "timex", "uname", "selinux"]
UPSTREAM_OPTIONS = [
    ("--collector.cpu.info", None),
    ("--collector.cpu.info.flags-include", "^(aes|avx.?|constant_tsc)$"),
    ("--collector.cpu.info.bugs-include", "^(cpu_meltdown|spectre_.*|mds)$"),
    ("--collector.stat.softirq", None),
    ("--collector.netdev.device-include", "lo"),
    ("--collector.netclass.ignored-devices", "(dmz|int)"),
    ("--collector.netclass.ignore-invalid-speed", None),
    ("--collector.hwmon.chip-include", "(applesmc|asus_nb_wmi|coretemp|hwmon4|ieee80211|nct6779)"),
    ("--collector.textfile.directory", TEXTFILE_DIR),
    ("--collector.bcache.priorityStats", None),
    ("--collector.arp.device-exclude", "nope"),
    ("--no-collector.arp.netlink", None),
    ("--collector.qdisc.device-include", "(wlan0|eth0)"),
    ("--collector.qdisc.fixtures", "collector/fixtures/qdisc/"),
    ("--collector.wifi.fixtures", "collector/fixtures/wifi"),
    # Upstream repeats --collector.sysctl.include; hostwatch takes the entries space-separated in one value.
    ("--collector.sysctl.include", "fs.file-nr fs.file-nr:total,current,max kernel.threads-max"),
    ("--collector.sysctl.include-info", "kernel.seccomp.actions_avail"),
]

# Families hostwatch claims to implement: every e2e family matching one of these must be
# emitted (the per-family exact comparison then applies to it).
REQUIRED_FAMILY_PATTERNS = [
    r"node_cpu_seconds_total", r"node_cpu_guest_seconds_total", r"node_load(1|5|15)",
    r"node_boot_time_seconds", r"node_context_switches_total", r"node_forks_total", r"node_intr_total",
    r"node_procs_(running|blocked)", r"node_softirqs_total",
    r"node_memory_(?!numa_)\w+", r"node_vmstat_\w+", r"node_filefd_\w+", r"node_pressure_\w+",
    r"node_textfile_\w+", r"testmetric\w+", r"node_os_(info|version)",
    r"node_time_(seconds|zone_offset_seconds|clocksource_\w+)",
    r"node_cpu_(core|package)_throttles_total", r"node_cpu_isolated",
    r"node_cpu_(info|frequency_hertz|flag_info|bug_info)",
    r"node_scrape_collector_(success|duration_seconds)",
    r"node_disk_\w+", r"node_network_\w+",
    r"node_nf_conntrack_\w+", r"node_netstat_\w+", r"node_sockstat_\w+", r"node_md_\w+", r"node_entropy_\w+",
    r"node_processes_\w+", r"node_interrupts_total", r"node_softirqs_functions_total",
    r"node_softnet_\w+", r"node_schedstat_\w+", r"node_udp_queues", r"node_kernel_hung_tasks_total",
    r"node_arp_entries",
    r"node_bonding_(slaves|active)",
    r"node_nvme_\w+",
    r"node_cpu_scaling_\w+", r"node_cpu_vulnerabilities_info",
    r"node_memory_numa_\w+",
    r"node_dmi_info", r"node_watchdog_\w+", r"node_edac_\w+", r"node_power_supply_\w+", r"node_rapl_\w+",
    r"node_hwmon_\w+", r"node_thermal_zone_temp", r"node_cooling_device_(cur|max)_state",
    r"node_tape_\w+", r"node_fibrechannel_\w+", r"node_drbd_\w+", r"node_bcache_\w+",
    r"node_buddyinfo_blocks", r"node_ksmd_\w+", r"node_zoneinfo_\w+", r"node_slabinfo_\w+", r"node_sysctl_\w+",
    r"node_xfs_\w+", r"node_btrfs_\w+", r"node_zfs_\w+",
    r"node_nfs_\w+", r"node_nfsd_\w+", r"node_mountstats_nfs_\w+",
    r"node_ipvs_\w+", r"node_infiniband_\w+", r"node_xfrm_\w+", r"node_lnstat_\w+",
    r"node_dmmultipath_\w+", r"node_cgroups_\w+", r"node_pcidevice_\w+", r"node_bcachefs_\w+",
    r"node_qdisc_\w+", r"node_wifi_\w+",
]


def fixture_tree_for_agent(workdir):
    """The fixture tree, or a repaired copy of it when its symlinks were stored
    as plain files holding the link target (what some copies of the tree do;
    symlinks.tsv lists every link), which would hide e.g. sys/class/net/eth0,
    or when its empty directories (sys.empty-dirs.txt) are missing."""
    tree = os.path.abspath(NODE_EXPORTER_FIXTURES)
    links_file = os.path.join(tree, "symlinks.tsv")
    rows = []
    if os.path.isfile(links_file):
        with open(links_file) as f:
            rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    broken = [r for r in rows if not os.path.islink(os.path.join(tree, r[0]))]
    # Empty directories (sys/class/watchdog/watchdog1) are lost when the tree is stored in git.
    empty_file = os.path.join(tree, "sys.empty-dirs.txt")
    empty = []
    if os.path.isfile(empty_file):
        with open(empty_file) as f:
            empty = [l.strip() for l in f if l.strip() and not os.path.lexists(os.path.join(tree, l.strip()))]
    if not broken and not empty:
        return tree
    copy = os.path.join(workdir, "fixtures-repaired")
    shutil.copytree(tree, copy, symlinks=True)
    for path, target, _ in broken:
        dst = os.path.join(copy, path)
        if os.path.isdir(dst) and not os.path.islink(dst):
            shutil.rmtree(dst)
        elif os.path.lexists(dst):
            os.remove(dst)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.symlink(target.rstrip("/") or target, dst)
    for path in empty:
        os.makedirs(os.path.join(copy, path), exist_ok=True)
    return copy


def split_families(text):
    """Exposition text -> (ordered family names, {name: [lines]}). A family starts at its # HELP line."""
    order, lines = [], {}
    current = None
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# HELP "):
            current = line.split(" ", 3)[2]
            if current not in lines:
                order.append(current)
                lines[current] = []
        elif line.startswith("#"):
            pass  # TYPE lines belong to the current family
        if current is None:
            raise AssertionError("line outside any family: %r" % line)
        lines[current].append(line)
    return order, lines


def supported_flags():
    res = run_agent("--help")
    return set(re.findall(r"--[a-z][\w.-]*", res.stdout + res.stderr))


def build_flags(root, supported):
    flags = ["--path.rootfs=" + root, "--path.procfs=" + os.path.join(root, "proc"),
             "--path.sysfs=" + os.path.join(root, "sys"), "--path.udev.data=" + os.path.join(root, "udev/data")]
    enabled = [c for c in UPSTREAM_COLLECTORS if "--collector." + c in supported]
    flags += ["--collector." + c for c in enabled]
    flags += ["--no-collector." + c for c in UPSTREAM_DISABLED if "--no-collector." + c in supported]
    for flag, value in UPSTREAM_OPTIONS:
        if flag in supported:
            flags.append(flag if value is None else flag + "=" + value)
    return flags


class NodeExporterConformanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.workdir = tempfile.mkdtemp(prefix="hostwatch-conformance-")
        os.makedirs(os.path.join(cls.workdir, "collector"))
        os.symlink(fixture_tree_for_agent(cls.workdir), os.path.join(cls.workdir, "collector", "fixtures"))
        cls.flags = build_flags("collector/fixtures", supported_flags())
        old_cwd = os.getcwd()
        os.chdir(cls.workdir)  # the agent inherits it: relative paths resolve like upstream's
        try:
            with Agent(*cls.flags) as agent:
                cls.scraped = agent.metrics()
                cls.agent_log = agent.log()
        finally:
            os.chdir(old_cwd)
        with open(E2E_FILE) as f:
            cls.expected_text = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)  # only our symlink and repaired copy live there

    def filtered_scrape(self):
        return "\n".join(l for l in self.scraped.splitlines() if l.startswith("#") or not SKIP_RE.match(l))

    def test_every_emitted_family_matches_e2e_exactly(self):
        got_order, got = split_families(self.filtered_scrape())
        want_order, want = split_families(self.expected_text)
        enabled = set(re.findall(r'node_scrape_collector_success\{collector="([^"]+)"\}', self.scraped))
        compared, extra, mismatches, matched_lines = [], [], [], 0
        for name in got_order:
            if name not in want:
                extra.append(name)
                continue
            expected = want[name]
            if name == "node_scrape_collector_success":
                # upstream lists every collector it enabled; compare ours only
                expected = [l for l in expected if l.startswith("#") or
                            re.search(r'collector="([^"]+)"', l).group(1) in enabled]
            compared.append(name)
            if got[name] == expected:
                matched_lines += len(expected)
            else:
                mismatches.append("family %s:\n  expected:\n    %s\n  got:\n    %s" %
                                  (name, "\n    ".join(expected), "\n    ".join(got[name])))
        # e2e output is sorted by family name; ours must be too, for the compared families
        want_rank = {n: i for i, n in enumerate(want_order)}
        ranks = [want_rank[n] for n in compared]
        print("\nflags: %s" % " ".join(self.flags))
        print("compared %d families (%d lines matched exactly):" % (len(compared), matched_lines))
        for name in compared:
            print("  %s" % name)
        print("emitted but not in e2e-output.txt (not compared): %s" % ", ".join(extra))
        self.assertEqual(ranks, sorted(ranks), "families are not in e2e order")
        self.assertEqual(mismatches, [], "\n\n".join(mismatches))

    def test_claimed_families_are_all_emitted(self):
        _, got = split_families(self.filtered_scrape())
        want_order, _ = split_families(self.expected_text)
        required = re.compile("^(%s)$" % "|".join(REQUIRED_FAMILY_PATTERNS))
        missing = [n for n in want_order if required.match(n) and n not in got]
        self.assertEqual(missing, [], "e2e families of implemented collectors not emitted")

    def test_every_e2e_family_is_emitted(self):
        # hostwatch has every collector of node_exporter 1.12.1, so every node_* family of upstream's
        # end-to-end output (its skip regex applied) must be emitted, and is then compared above.
        _, got = split_families(self.filtered_scrape())
        want_order, _ = split_families(self.expected_text)
        # node_* only: promhttp_* are client_golang's HTTP handler metrics (hostwatch's own are
        # hostwatch_http_requests_total).
        missing = [n for n in want_order if n.startswith("node_") and not SKIP_RE.match(n) and n not in got]
        self.assertEqual(missing, [], "families of e2e-output.txt hostwatch does not emit")

    def test_all_enabled_collectors_succeed(self):
        failed = re.findall(r'node_scrape_collector_success\{collector="([^"]+)"\} 0', self.scraped)
        self.assertEqual(failed, [], "collectors failed on the fixture tree; agent log:\n" + self.agent_log)


if __name__ == "__main__":
    unittest.main()
