"""Disk, filesystem and network collectors in the real binary: live-host sanity
(root filesystem, loopback traffic) and exact node_exporter output for the
node_disk_*, netclass and netdev families on node_exporter's own fixture tree
(netdev reads the live lo through rtnetlink, as node_exporter's e2e run does)."""
import os
import re
import shutil
import unittest

from hostwatch_testutil import (NODE_EXPORTER_FIXTURES, Agent, TempDir, check_metrics_with_promtool, parse_samples,
                                require_binary, sample)


def families(text):
    """{family name: [its # HELP, # TYPE and sample lines, in order]}."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"# (?:HELP|TYPE) (\S+)", line)
        name = m.group(1) if m else re.match(r"[^{ ]+", line).group(0)
        out.setdefault(name, []).append(line)
    return out


class LiveHostTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.agent = Agent("--collector.disable-defaults", "--collector.filesystem", "--collector.netdev",
                          "--collector.netclass", "--collector.diskstats")

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()

    def test_root_filesystem_is_reported_with_avail_at_most_size(self):
        text = self.agent.metrics()
        roots = {k: v for k, v in parse_samples(text).items()
                 if k.startswith("node_filesystem_avail_bytes{") and 'mountpoint="/"' in k}
        self.assertEqual(len(roots), 1, text)
        avail_series, avail = next(iter(roots.items()))
        size = sample(text, avail_series.replace("node_filesystem_avail_bytes", "node_filesystem_size_bytes"))
        self.assertIsNotNone(size)
        self.assertGreater(size, 0)
        self.assertLessEqual(avail, size)
        self.assertIn('device_error=""', avail_series)
        for c in ("filesystem", "netdev", "netclass", "diskstats"):
            self.assertEqual(sample(text, 'node_scrape_collector_success{collector="%s"}' % c), 1, c)

    def test_loopback_receive_bytes_grow_with_traffic(self):
        series = 'node_network_receive_bytes_total{device="lo"}'
        before = sample(self.agent.metrics(), series)
        self.assertIsNotNone(before)
        for _ in range(20):  # every request to 127.0.0.1 crosses lo
            self.agent.request("/-/healthy")
        after = sample(self.agent.metrics(), series)
        self.assertGreater(after, before)

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.agent.metrics())


class NodeExporterFixtureTest(unittest.TestCase):
    """node_disk_* and netclass families must equal e2e-output.txt line for line."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        tree = NODE_EXPORTER_FIXTURES
        if not tree or not os.path.isfile(os.path.join(tree, "e2e-output.txt")):
            raise unittest.SkipTest("node_exporter fixture tree not found (HOSTWATCH_NODE_EXPORTER_FIXTURES)")
        cls.tree = tree
        cls.tmp = TempDir()
        sys_dir = cls.repaired_sys(tree, cls.tmp.path)
        cls.agent = Agent("--collector.disable-defaults", "--collector.diskstats", "--collector.netclass",
                          "--collector.netdev", "--collector.netdev.device-include=lo",
                          "--path.procfs=" + tree + "/proc", "--path.sysfs=" + sys_dir,
                          "--path.udev.data=" + tree + "/udev/data", "--path.rootfs=" + tree,
                          "--collector.netclass.ignored-devices=(dmz|int)",
                          "--collector.netclass.ignore-invalid-speed=true")
        cls.text = cls.agent.metrics()
        with open(os.path.join(tree, "e2e-output.txt")) as f:
            cls.want = families(f.read())

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.tmp.cleanup()

    @staticmethod
    def repaired_sys(tree, tmp):
        """A copy of the sysfs parts these collectors read, with the symlinks of
        symlinks.tsv restored: some copies of the tree store them as plain files
        holding the link target, which hides sys/class/net/eth0."""
        out = os.path.join(tmp, "sys")
        for part in ("class/net", "block", "devices/pci0000:00/0000:00:03.0/0000:03:00.0/net"):
            shutil.copytree(os.path.join(tree, "sys", part), os.path.join(out, part), symlinks=True)
        with open(os.path.join(tree, "symlinks.tsv")) as f:
            for row in f:
                path, target, _ = row.rstrip("\n").split("\t")
                if not path.startswith("sys/class/net/"):
                    continue
                dst = os.path.join(tmp, path)
                if os.path.lexists(dst) and not os.path.islink(dst):
                    os.remove(dst)
                    os.symlink(target, dst)
        return out

    # node_exporter's end-to-end test drops these live sample lines before diffing.
    SKIP = re.compile(r"^node_network_(receive|transmit)_(bytes|packets)_total")

    def compare(self, prefix):
        got = families("\n".join(l for l in self.text.splitlines() if not self.SKIP.match(l)))
        names = sorted(n for n in got if n.startswith(prefix))
        self.assertTrue(names, "no %s families in output" % prefix)
        for name in names:
            self.assertIn(name, self.want, "family not in e2e-output.txt: " + name)
            self.assertEqual(got[name], self.want[name], name)
        return names

    def test_every_node_disk_family_matches(self):
        names = self.compare("node_disk_")
        expected = sorted(n for n in self.want if n.startswith("node_disk_"))
        self.assertEqual(names, expected)

    def test_every_node_network_family_matches(self):
        names = self.compare("node_network_")
        expected = sorted(n for n in self.want if n.startswith("node_network_"))
        self.assertEqual(names, expected)  # 19 netclass + 17 netdev families


if __name__ == "__main__":
    unittest.main()
