"""The ethtool collector on a real veth pair, beside Debian's node_exporter on the same devices.

The test makes a network namespace of its own (`ip netns add`) with a veth pair in it, and runs
the rest of itself inside (`ip netns exec ... python3 this-file --child`): there the agent, with only
--collector.ethtool, sees the namespace's lo and the two veth ends, and the test scrapes it on the
namespace's loopback. Where /usr/bin/prometheus-node-exporter is installed (Debian's 1.5) it runs
there too, and the families both emit for the veth must agree. Needs root and `ip`; skipped
otherwise. Every process is stopped by its PID and the namespace is deleted at the end.
"""
import json
import os
import re
import sys
import unittest

from hostwatch_testutil import Agent, Process, family_table, require_binary, run_in_own_netns, sample

CHILD_FLAG = "--ethtool-child"
SKIP = 77
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
VETH = ("hwe0", "hwe1")
# The families of node_exporter's ethtool collector.
ETHTOOL_FAMILY = re.compile(r"^node_(ethtool_\w+|network_(autonegotiate\w*|(asymmetric)?pause_\w+|"
                            r"supported_\w+|advertised_\w+))$")


def families(text):
    """{family: {"help": ..., "type": ..., "series": {series: value}}} of the ethtool families."""
    return family_table(text, lambda name: ETHTOOL_FAMILY.match(name) is not None)


def child():
    """Runs inside the namespace: scrapes both exporters, prints a JSON report."""
    report = {"ifindex": {}}
    for dev in VETH:
        with open("/sys/class/net/%s/ifindex" % dev) as f:
            report["ifindex"][dev] = int(f.read())
    agent = Agent("--collector.disable-defaults", "--collector.ethtool")
    try:
        report["hostwatch"] = agent.metrics()
        report["hostwatch_again"] = agent.metrics()
    finally:
        agent.stop()
    report["hostwatch_log"] = agent.log()
    if os.access(NODE_EXPORTER, os.X_OK):
        exporter = Process.on_free_port(
            lambda port: [NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % port, "--collector.disable-defaults",
                          "--collector.ethtool"], name="node_exporter", ready_path="/metrics")
        try:
            status, _, body = exporter.request("/metrics")
            report["node_exporter"] = body.decode() if status == 200 else None
        finally:
            exporter.stop()
    print(json.dumps(report))
    return 0


STAT_HELP = "Network interface "


def only_help_sanitizing_differs(ours, theirs):
    """node_exporter 1.5 names the raw driver statistic in a statistic's HELP, 1.12.1 its sanitized
    name: for a statistic with characters outside [0-9A-Za-z_] in its name that is the only change."""
    if not ours or not theirs or ours["series"] != theirs["series"] or ours["type"] != theirs["type"]:
        return False
    if not (ours["help"] or "").startswith(STAT_HELP) or not (theirs["help"] or "").startswith(STAT_HELP):
        return False
    raw = theirs["help"][len(STAT_HELP):]
    return re.sub(r"_*[^0-9A-Za-z_]+_*", "_", raw) == ours["help"][len(STAT_HELP):]


class EthtoolVethTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        steps = (("link", "set", "lo", "up"), ("link", "add", VETH[0], "type", "veth", "peer", "name", VETH[1]),
                 ("link", "set", VETH[0], "up"), ("link", "set", VETH[1], "up"))
        cls.report = run_in_own_netns("hwtest-ethtool-%d" % os.getpid(), steps, __file__, CHILD_FLAG)

    def test_veth_driver_info_and_stats_are_exported(self):
        text = self.report["hostwatch"]
        self.assertEqual(sample(text, 'node_scrape_collector_success{collector="ethtool"}'), 1, text)
        for dev in VETH:
            info = [l for l in text.splitlines() if l.startswith('node_ethtool_info{') and 'device="%s"' % dev in l]
            self.assertEqual(len(info), 1, text)
            self.assertIn('driver="veth"', info[0])
            # A veth end's peer_ifindex statistic is the other end's ifindex.
            peer = VETH[1] if dev == VETH[0] else VETH[0]
            self.assertEqual(sample(text, 'node_ethtool_peer_ifindex{device="%s"}' % dev),
                             self.report["ifindex"][peer], text)
            # veth reports no link modes and autonegotiation off.
            self.assertEqual(sample(text, 'node_network_autonegotiate{device="%s"}' % dev), 0, text)
            self.assertEqual(sample(text, 'node_network_pause_supported{device="%s"}' % dev), 0, text)
        # lo supports none of the requests: nothing for it, and nothing logged about it.
        self.assertNotIn('device="lo"', "\n".join(l for l in text.splitlines() if ETHTOOL_FAMILY.match(
            re.split(r"[{ ]", l, maxsplit=1)[0])))
        self.assertNotRegex(self.report["hostwatch_log"], r"level=(warn|error)")

    def test_second_scrape_has_the_same_families(self):
        self.assertEqual(sorted(families(self.report["hostwatch"])), sorted(families(self.report["hostwatch_again"])))

    def test_same_families_as_node_exporter(self):
        reference = self.report.get("node_exporter")
        if reference is None:
            self.skipTest(NODE_EXPORTER + " is not installed")
        ours, theirs = families(self.report["hostwatch"]), families(reference)
        version_notes, mismatches = [], []
        for name in sorted(set(ours) | set(theirs)):
            a, b = ours.get(name), theirs.get(name)
            if a == b:
                continue
            if only_help_sanitizing_differs(a, b):
                version_notes.append("%s: HELP %r (1.5) vs %r (1.12.1)" % (name, b["help"], a["help"]))
                continue
            mismatches.append("%s:\n  hostwatch:     %s\n  node_exporter: %s" % (name, a, b))
        for note in version_notes:
            print("1.5 vs 1.12.1 difference:", note)
        self.assertEqual(mismatches, [], "\n".join(mismatches))
        self.assertIn("node_ethtool_peer_ifindex", ours)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_FLAG:
        sys.exit(child())
    unittest.main()
