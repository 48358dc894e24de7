"""compare.py's "netns" big-host rows: netclass over sysfs vs over netlink, on 1,000 real interfaces.

A generated sysfs tree cannot answer netlink, so this phase makes a network namespace of its own
(`ip netns add`) with 500 veth pairs (1,000 interfaces, all up, plus lo; veth works on these
machines, dummy does not) and runs itself inside it (`ip netns exec ... --child`). There it starts,
all at once, hostwatch and node_exporter each with and without --collector.netclass.netlink
(node_exporter 1.5 may lack the flag: its netlink cell is then "-"), scrapes them in interleaved,
shuffled batches and reports CPU per scrape from /proc/<pid>/stat. Two sets: netclass alone, and
all default collectors. Bounded: 500 pairs, args.big_scrapes scrapes per agent per set, the
phase's deadline; every process is stopped by its PID and the namespace is deleted at the end.
Needs root and ip(8); otherwise the rows say n/a.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

PAIRS = 500
NETLINK = "--collector.netclass.netlink"
SETS = (("netclass only", ["--collector.disable-defaults", "--collector.netclass"]),
        ("all default collectors", []))


def node_exporter_has_netlink(compare):
    if not os.path.exists(compare.NODE_EXPORTER):
        return False
    out = subprocess.run([compare.NODE_EXPORTER, "--help"], capture_output=True, text=True, timeout=30)
    return NETLINK in out.stdout + out.stderr


def make_namespace(name):
    """The namespace with lo and PAIRS veth pairs, all up (ip -batch: one process for 2,000 commands)."""
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=30)
    lines = ["link set lo up"]
    for i in range(PAIRS):
        lines += ["link add hwb%da type veth peer name hwb%db" % (i, i), "link set hwb%da up" % i,
                  "link set hwb%db up" % i]
    with tempfile.NamedTemporaryFile("w", suffix=".ip", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    try:
        subprocess.run(["ip", "-n", name, "-batch", f.name], check=True, timeout=300)
    finally:
        os.unlink(f.name)


def netns_netclass_phase(args, table, hostwatch_bin, compare):
    """compare: the compare module (start_* helpers, Subject, interleave, fmt, ratio, Table)."""
    title = "big host netns (1,000 veth), %s: CPU per scrape, %s (ms)"
    if os.geteuid() != 0 or shutil.which("ip") is None:
        for set_name, _ in SETS:
            for mode in ("sysfs", "netlink"):
                table.add(title % (set_name, mode), "n/a (needs root and ip)", "n/a", "-", "report", None)
        return
    name = "hwbench-%d" % os.getpid()
    t0 = time.monotonic()
    make_namespace(name)
    compare.log("netns %s with %d veth pairs made in %.1f s" % (name, PAIRS, time.monotonic() - t0))
    try:
        child = {"hostwatch": os.path.abspath(hostwatch_bin), "scrapes": args.big_scrapes,
                 "seconds": args.phase_seconds, "ne_netlink": node_exporter_has_netlink(compare)}
        res = subprocess.run(["ip", "netns", "exec", name, sys.executable, os.path.abspath(__file__), "--child",
                              json.dumps(child)], capture_output=True, text=True,
                             timeout=4 * args.phase_seconds + 120)
        sys.stderr.write(res.stderr)
        if res.returncode != 0:
            raise RuntimeError("netns child failed:\n" + res.stdout + res.stderr)
        results = json.loads(res.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(["ip", "netns", "del", name], timeout=120)
    for set_name, _ in SETS:
        for mode in ("sysfs", "netlink"):
            ours = results[set_name].get("hostwatch " + mode)
            theirs = results[set_name].get("node_exporter " + mode)
            table.add(title % (set_name, mode), compare.fmt(ours[0]), "-" if theirs is None else compare.fmt(theirs[0]),
                      compare.fmt(compare.ratio(ours[0], theirs and theirs[0])), "report", None)
        sysfs, netlink = results[set_name]["hostwatch sysfs"], results[set_name]["hostwatch netlink"]
        table.add("  (info) samples per scrape, %s, sysfs / netlink" % set_name, "%d / %d" % (sysfs[1], netlink[1]),
                  "-", "-", "-", None)


def child(config):
    """Inside the namespace: all agents of a set at once, interleaved; prints {set: {agent mode: [ms, samples]}}."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import compare  # noqa: E402  the parent module, for its process and scrape helpers

    out = {}
    for set_name, flags in SETS:
        procs = {"hostwatch sysfs": compare.start_hostwatch(config["hostwatch"], *flags),
                 "hostwatch netlink": compare.start_hostwatch(config["hostwatch"], *(flags + [NETLINK]))}
        try:
            if os.path.exists(compare.NODE_EXPORTER):
                procs["node_exporter sysfs"] = compare.start_node_exporter(*flags)
                if config["ne_netlink"]:
                    procs["node_exporter netlink"] = compare.start_node_exporter(*(flags + [NETLINK]))
            subjects = [compare.Subject(n, p) for n, p in procs.items()]
            for s in subjects:  # the first scrape fills caches; it is not what a scrape costs
                s.client.get("/metrics", compare.SCRAPE_HEADERS)
            per_round = max(1, config["scrapes"] // 5)
            compare.interleave(subjects, config["scrapes"], per_round, time.monotonic() + config["seconds"])
            out[set_name] = {s.name: [s.cpu_ms_per_scrape(), s.samples] for s in subjects}
        finally:
            for p in procs.values():
                p.stop()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(child(json.loads(sys.argv[2])))
    sys.exit("run by bench/compare.py (phase netns)")
