"""netclass over netlink (--collector.netclass.netlink) against the sysfs path, on real interfaces.

The test makes a network namespace of its own (`ip netns add`) with 20 veth pairs in it (veth
works on these machines, dummy does not): pairs up and down, one end with an alias, one with an
altname, one with another MTU and queue length. It runs the rest of itself inside (`ip netns exec
... python3 this-file --child`), where hostwatch (only netclass) is scraped with and without the
flag, and so is Debian's node_exporter (1.5, which has the flag too) where it is installed.

What it proves, family by family (docs/collectors/netclass.md explains each difference):
  * hostwatch's netlink output equals its sysfs output in every family, except where node_exporter's
    netlink path differs by design: node_network_info (no adminstate label, duplex as "Full"),
    flags (the kernel's ifi_flags: sysfs's plus IFF_RUNNING/IFF_LOWER_UP), carrier and
    speed_bytes (also for down links), dormant (node_exporter exports link_mode there) and
    node_network_altnames_info (netlink only); each of those differences is checked exactly;
  * each path equals node_exporter's same path, series for series, except the families
    node_exporter added to the netlink path after 1.5 (altnames_info, address_assign_type,
    device_id, name_assign_type);
  * --collector.netclass_rtnl.with-stats adds the same 24 families as node_exporter's.
Needs root and `ip`; skipped otherwise. Every process is stopped by its PID and the namespace is
deleted at the end.
"""
import json
import os
import re
import sys
import time
import unittest

from hostwatch_testutil import Agent, Process, family_table, require_binary, run_in_own_netns

CHILD_FLAG = "--netclass-child"
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
PAIRS = 20
NETLINK = "--collector.netclass.netlink"
WITH_STATS = "--collector.netclass_rtnl.with-stats"
# Families node_exporter's netlink path gained after 1.5 (1.12.1 has them).
AFTER_1_5 = {"node_network_altnames_info", "node_network_address_assign_type", "node_network_device_id",
             "node_network_name_assign_type"}
IFF_RUNNING, IFF_LOWER_UP, IFF_DORMANT = 0x40, 0x10000, 0x20000


def families(text):
    """{family: {"help", "type", "series": {series: value}}} of the node_network_* families."""
    return family_table(text, lambda name: name.startswith("node_network_"))


def labels(series):
    return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', series))


def by_device(family):
    return {labels(s)["device"]: v for s, v in family["series"].items()}


def wait_settled(devices_up, timeout=20):
    """Until every end that was set up reports operstate up (linkwatch applies it asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = {}
        for dev in devices_up:
            with open("/sys/class/net/%s/operstate" % dev) as f:
                states[dev] = f.read().strip()
        if all(s == "up" for s in states.values()):
            return
        time.sleep(0.2)
    raise AssertionError("links did not come up: %s" % states)


def scrape_node_exporter(*flags):
    exporter = Process.on_free_port(
        lambda port: [NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % port, "--collector.disable-defaults",
                      "--collector.netclass"] + list(flags), name="node_exporter", ready_path="/metrics")
    try:
        status, _, body = exporter.request("/metrics")
        return body.decode() if status == 200 else None
    finally:
        exporter.stop()


def scrape_hostwatch(report, key, *flags):
    agent = Agent("--collector.disable-defaults", "--collector.netclass", *flags)
    try:
        report[key] = agent.metrics()
    finally:
        agent.stop()
    report[key + "_log"] = agent.log()


def child():
    """Runs inside the namespace: scrapes both agents both ways, prints a JSON report."""
    wait_settled(["hwn%da" % i for i in range(0, PAIRS, 2)] + ["hwn%db" % i for i in range(0, PAIRS, 2)])
    report = {}
    scrape_hostwatch(report, "sysfs")
    scrape_hostwatch(report, "netlink", NETLINK)
    scrape_hostwatch(report, "stats", NETLINK, WITH_STATS)
    if os.access(NODE_EXPORTER, os.X_OK):
        report["ne_sysfs"] = scrape_node_exporter()
        report["ne_netlink"] = scrape_node_exporter(NETLINK)
        report["ne_stats"] = scrape_node_exporter(NETLINK, WITH_STATS)
    print(json.dumps(report))
    return 0


def setup_steps():
    """Pairs hwn<i>a/hwn<i>b; even pairs up, odd pairs down; a few ends with other settings."""
    steps = [("link", "set", "lo", "up")]
    for i in range(PAIRS):
        steps.append(("link", "add", "hwn%da" % i, "type", "veth", "peer", "name", "hwn%db" % i))
        if i % 2 == 0:
            steps += [("link", "set", "hwn%da" % i, "up"), ("link", "set", "hwn%db" % i, "up")]
    steps += [("link", "set", "hwn0a", "alias", "uplink to rack 7"),
              ("link", "property", "add", "dev", "hwn2a", "altname", "hwn2a-alternative"),
              ("link", "set", "hwn4a", "mtu", "9000", "txqueuelen", "50"),
              ("link", "set", "hwn1a", "mtu", "1280")]
    return steps


class NetclassNetlinkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.report = run_in_own_netns("hwtest-netclass-%d" % os.getpid(), setup_steps(), __file__, CHILD_FLAG,
                                      timeout=240)
        cls.sysfs, cls.netlink = families(cls.report["sysfs"]), families(cls.report["netlink"])

    def test_every_interface_is_there_and_nothing_is_logged(self):
        for path in (self.sysfs, self.netlink):
            self.assertEqual(len(path["node_network_up"]["series"]), 2 * PAIRS + 1)
        for key in ("sysfs_log", "netlink_log", "stats_log"):
            self.assertNotRegex(self.report[key], r"level=(warn|error)", key)

    def test_netlink_equals_sysfs_in_every_family_upstream_does_not_change(self):
        changed = {"node_network_info", "node_network_flags", "node_network_carrier", "node_network_speed_bytes",
                   "node_network_dormant", "node_network_altnames_info"}
        self.assertEqual(set(self.netlink) - set(self.sysfs), {"node_network_altnames_info"})
        self.assertEqual(set(self.sysfs) - set(self.netlink), set())
        for name in sorted(set(self.sysfs) - changed):
            self.assertEqual(self.netlink[name], self.sysfs[name], name)

    def test_each_upstream_difference_is_exactly_as_documented(self):
        sysfs_flags, netlink_flags = by_device(self.sysfs["node_network_flags"]), by_device(
            self.netlink["node_network_flags"])
        self.assertEqual(set(sysfs_flags), set(netlink_flags))
        for dev, flags in netlink_flags.items():
            self.assertEqual(int(flags) & ~(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT), int(sysfs_flags[dev]), dev)
        self.assertEqual(int(netlink_flags["hwn0a"]) & IFF_LOWER_UP, IFF_LOWER_UP)
        # carrier and speed: the same where sysfs has them; netlink also has down links (0 and 10 Gb/s).
        for name, down_value in (("node_network_carrier", 0), ("node_network_speed_bytes", 1.25e9)):
            ours, theirs = by_device(self.netlink[name]), by_device(self.sysfs[name])
            for dev, v in ours.items():
                self.assertEqual(v, theirs.get(dev, down_value), (name, dev))
        self.assertIn("hwn1a", by_device(self.netlink["node_network_speed_bytes"]))
        self.assertNotIn("hwn1a", by_device(self.sysfs["node_network_speed_bytes"]))
        self.assertEqual(by_device(self.netlink["node_network_dormant"]),
                         by_device(self.netlink["node_network_iface_link_mode"]))
        self.assertEqual(self.netlink["node_network_altnames_info"]["series"],
                         {'node_network_altnames_info{altname="hwn2a-alternative",device="hwn2a"}': 1.0})
        sysfs_info = {labels(s)["device"]: labels(s) for s in self.sysfs["node_network_info"]["series"]}
        for series in self.netlink["node_network_info"]["series"]:
            ours = labels(series)
            theirs = dict(sysfs_info[ours["device"]])
            del theirs["adminstate"]
            if theirs["duplex"]:  # sysfs has duplex for running links only, netlink as Go prints it
                theirs["duplex"] = theirs["duplex"].capitalize()
            elif ours["device"] != "lo":
                theirs["duplex"] = "Full"
            self.assertEqual(ours, theirs, series)
        self.assertEqual(sysfs_info["hwn0a"]["ifalias"], "uplink to rack 7")

    def node_exporter(self, key):
        if "ne_sysfs" not in self.report:
            self.skipTest(NODE_EXPORTER + " is not installed")
        text = self.report[key]
        self.assertIsNotNone(text, key)
        return families(text)

    def test_sysfs_path_equals_node_exporters(self):
        theirs = self.node_exporter("ne_sysfs")
        ours = dict(self.sysfs)
        if not any("adminstate=" in s for s in theirs["node_network_info"]["series"]):
            # node_exporter added the adminstate label after 1.5 (1.12.1 has it).
            info = dict(ours["node_network_info"])
            info["series"] = {re.sub(r'adminstate="[^"]*",', "", s): v for s, v in info["series"].items()}
            ours["node_network_info"] = info
        self.assertEqual(set(ours), set(theirs))
        for name in sorted(theirs):
            self.assertEqual(ours[name], theirs[name], name)

    def test_netlink_path_equals_node_exporters(self):
        theirs = self.node_exporter("ne_netlink")
        self.assertEqual(set(self.netlink) - set(theirs), AFTER_1_5 & set(self.netlink))
        self.assertEqual(set(theirs) - set(self.netlink), set())
        for name in sorted(theirs):
            self.assertEqual(self.netlink[name], theirs[name], name)

    def test_with_stats_adds_the_same_families_as_node_exporter(self):
        ours = families(self.report["stats"])
        added = set(ours) - set(self.netlink)
        self.assertEqual(len(added), 24, sorted(added))
        for name in added:
            self.assertEqual(ours[name]["type"], "gauge", name)
            self.assertEqual(len(ours[name]["series"]), 2 * PAIRS + 1, name)
        if "ne_stats" in self.report:
            theirs = families(self.report["ne_stats"])
            for name in added:  # counters move with IPv6 traffic: compare shape, not values
                self.assertEqual((ours[name]["help"], ours[name]["type"], sorted(ours[name]["series"])),
                                 (theirs[name]["help"], theirs[name]["type"], sorted(theirs[name]["series"])), name)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_FLAG:
        sys.exit(child())
    unittest.main()
