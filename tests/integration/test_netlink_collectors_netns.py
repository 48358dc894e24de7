"""network_route and qdisc on a real network namespace, against `ip route`, `tc` and node_exporter.

The test makes a network namespace of its own (`ip netns add`) with two veth pairs (veth works on
these machines, dummy does not), IPv4 and IPv6 addresses, and routes of each kind the collector
labels differently: a default route, a gateway route with a metric, an IPv6 route with proto bgp, a
multipath route with weights, a route in another table, a route whose protocol node_exporter does
not name (keepalived), and local/broadcast/multicast routes that it leaves out. It runs the rest of
itself inside (`ip netns exec ... python3 this-file --child`), where hostwatch (only network_route
and qdisc) is scraped, and so is Debian's node_exporter (1.5, whose network_route and qdisc code
is 1.12.1's) where it is installed.

What it proves:
  * node_network_route_info has exactly one series per unicast route (per next hop of a multipath
    route) that `ip -j route show table all` lists, labelled as node_exporter does, and
    node_network_routes counts them per device;
  * node_qdisc_* has the root qdisc of every device that `tc -j qdisc show` lists, with its kind;
  * both families equal node_exporter's series for series, where it is installed;
  * nothing is logged above debug.
Needs root and `ip`; skipped otherwise. Every process is stopped by its PID and the namespace is
deleted at the end.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

from hostwatch_testutil import Agent, Process, family_table, require_binary, run_in_own_netns

CHILD_FLAG = "--netlink-collectors-child"
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
COLLECTORS = ["--collector.network_route", "--collector.qdisc"]


def ip_json(*args):
    res = subprocess.run(["ip", "-j"] + list(args), capture_output=True, text=True, timeout=30, check=True)
    return json.loads(res.stdout or "[]")


def routes_now():
    return ip_json("-4", "route", "show", "table", "all") + ip_json("-6", "route", "show", "table", "all")


def qdiscs_now():
    if shutil.which("tc") is None:
        return None
    res = subprocess.run(["tc", "-j", "qdisc", "show"], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(res.stdout or "[]")


def scrape_node_exporter():
    exporter = Process.on_free_port(
        lambda port: [NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % port, "--collector.disable-defaults"]
        + COLLECTORS, name="node_exporter", ready_path="/metrics")
    try:
        status, _, body = exporter.request("/metrics")
        return body.decode() if status == 200 else None
    finally:
        exporter.stop()


def child():
    """Runs inside the namespace: the kernel's view before and after one scrape of each agent."""
    for _ in range(5):  # IPv6 routes may still be settling (link-local): retry until stable
        before = routes_now()
        agent = Agent("--collector.disable-defaults", *COLLECTORS)
        try:
            text = agent.metrics()
        finally:
            agent.stop()
        report = {"hostwatch": text, "log": agent.log(), "routes": routes_now(), "qdiscs": qdiscs_now()}
        if os.access(NODE_EXPORTER, os.X_OK):
            report["node_exporter"] = scrape_node_exporter()
        if before == report["routes"] == routes_now():
            break
    print(json.dumps(report))
    return 0


def setup_steps():
    steps = [("link", "set", "lo", "up")]
    for i in (0, 1):
        steps += [("link", "add", "hwr%da" % i, "type", "veth", "peer", "name", "hwr%db" % i),
                  ("link", "set", "hwr%da" % i, "up"), ("link", "set", "hwr%db" % i, "up"),
                  ("addr", "add", "10.5%d.0.1/24" % i, "dev", "hwr%da" % i),
                  ("addr", "add", "2001:db8:5%d::1/64" % i, "dev", "hwr%da" % i, "nodad")]
    steps += [("route", "add", "default", "via", "10.50.0.254"),
              ("route", "add", "10.60.0.0/16", "via", "10.50.0.2", "metric", "50", "proto", "static"),
              ("route", "add", "10.70.0.0/24", "nexthop", "via", "10.50.0.2", "dev", "hwr0a", "weight", "1",
               "nexthop", "via", "10.51.0.2", "dev", "hwr1a", "weight", "3"),
              ("route", "add", "10.80.0.5/32", "dev", "hwr1a", "src", "10.51.0.1", "proto", "keepalived"),
              ("route", "add", "10.90.0.0/24", "dev", "hwr1a", "table", "100"),
              ("-6", "route", "add", "2001:db8:99::/48", "via", "2001:db8:50::2", "proto", "bgp")]
    return steps


def with_prefix(dst, family_bits):
    return dst if dst == "default" or "/" in dst else "%s/%d" % (dst, family_bits)


def expected_route_series(routes):
    """{(device, src, dest, gw, priority, proto, weight)} from ip's JSON, as node_exporter labels them."""
    protos = {"kernel": "kernel", "static": "static", "bgp": "bgp", "keepalived": "unknown", "boot": "boot"}
    out = []
    for r in routes:
        if r.get("type", "unicast") != "unicast":
            continue
        bits = 128 if ":" in r["dst"] + r.get("gateway", "") + json.dumps(r.get("nexthops", "")) else 32
        common = (r.get("prefsrc", ""), with_prefix(r["dst"], bits), str(r.get("metric", 0)),
                  protos[r.get("protocol", "boot")])
        if "nexthops" in r:
            for nh in r["nexthops"]:
                out.append((nh["dev"], common[0], common[1], nh.get("gateway", ""), common[2], common[3],
                            str(nh.get("weight", 1))))
        else:
            out.append((r["dev"], common[0], common[1], r.get("gateway", ""), common[2], common[3], ""))
    return out


def labels(series):
    return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', series))


class NetlinkCollectorsNetnsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.report = run_in_own_netns("hwtest-route-%d" % os.getpid(), setup_steps(), __file__, CHILD_FLAG,
                                      timeout=180)
        cls.families = family_table(cls.report["hostwatch"], lambda n: n.startswith(("node_network_route",
                                                                                     "node_qdisc_")))

    def test_every_unicast_route_of_ip_route_is_a_series(self):
        names = ("device", "src", "dest", "gw", "priority", "proto", "weight")
        ours = sorted(tuple(labels(s)[n] for n in names) for s in self.families["node_network_route_info"]["series"])
        want = sorted(expected_route_series(self.report["routes"]))
        self.assertEqual(ours, want)
        # The kinds of route this test set up are all there.
        self.assertIn(("hwr1a", "10.51.0.1", "10.80.0.5/32", "", "0", "unknown", ""), ours)
        self.assertIn(("hwr1a", "", "10.70.0.0/24", "10.51.0.2", "0", "boot", "3"), ours)
        self.assertIn(("hwr0a", "", "2001:db8:99::/48", "2001:db8:50::2", "1024", "bgp", ""), ours)
        self.assertIn(("hwr1a", "", "10.90.0.0/24", "", "0", "boot", ""), ours)  # table 100
        per_device = {}
        for series in ours:
            per_device[series[0]] = per_device.get(series[0], 0) + 1
        got = {labels(s)["device"]: v for s, v in self.families["node_network_routes"]["series"].items()}
        self.assertEqual(got, per_device)

    def test_every_device_has_its_root_qdisc(self):
        if self.report["qdiscs"] is None:
            self.skipTest("no tc(8)")
        want = sorted((q["dev"], q["kind"]) for q in self.report["qdiscs"] if q.get("root"))
        got = sorted((labels(s)["device"], labels(s)["kind"]) for s in self.families["node_qdisc_packets_total"]["series"])
        self.assertEqual(got, want)
        self.assertEqual(len(self.families), 2 + 7)

    def test_equal_to_node_exporter(self):
        if "node_exporter" not in self.report:
            self.skipTest("node_exporter not installed")
        theirs = family_table(self.report["node_exporter"], lambda n: n in self.families)
        self.assertEqual(set(theirs), set(self.families))
        for name in sorted(theirs):
            if name.startswith("node_qdisc_") and name.endswith("_total"):  # live counters: compare series names
                self.assertEqual(sorted(theirs[name]["series"]), sorted(self.families[name]["series"]), name)
                self.assertEqual((theirs[name]["help"], theirs[name]["type"]),
                                 (self.families[name]["help"], self.families[name]["type"]), name)
            else:
                self.assertEqual(self.families[name], theirs[name], name)

    def test_nothing_is_logged_above_debug(self):
        self.assertNotRegex(self.report["log"], r"level=(warn|error)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_FLAG:
        sys.exit(child())
    unittest.main()
