#!/usr/bin/env python3
"""CPU per scrape of each collector, for the "CPU per scrape" column of docs/collectors.md.

    bench/collector_costs.py [--microbench build-release/bench/hostwatch_microbench] [--write]

Runs hostwatch_microbench's BM_Collect/<collector>/{fixture,host} benchmarks (one collector's
Collect() into a fresh sink: reading, parsing, building the families; no HTTP, no exposition) and
prints one row per collector: CPU time per call on node_exporter's fixture tree and on this machine
("no data" where the collector found nothing to read). With --write, the last column of the table in
docs/collectors.md is replaced by these figures. Figures move with the machine and its load: they are
orders of magnitude for choosing collectors, not pass/fail numbers.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(SOURCE_DIR, "docs", "collectors.md")


def run_benchmarks(binary, min_time):
    sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "testutil"))
    sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "conformance"))
    os.environ.setdefault("HOSTWATCH_NODE_EXPORTER_FIXTURES",
                          os.path.join(os.path.dirname(SOURCE_DIR), "shared", "fixtures", "node_exporter"))
    from test_node_exporter_conformance import fixture_tree_for_agent  # noqa: E402  the one repair
    with tempfile.TemporaryDirectory(prefix="hostwatch-costs-") as work, \
            tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = dict(os.environ, HOSTWATCH_BENCH_FIXTURES=fixture_tree_for_agent(work))
        subprocess.run([binary, "--benchmark_filter=^BM_Collect/[a-z_]+/(fixture|host)$",
                        "--benchmark_min_time=%s" % min_time, "--benchmark_out=" + out.name,
                        "--benchmark_out_format=json"], check=True, stdout=subprocess.DEVNULL, env=env)
        return json.load(open(out.name))["benchmarks"]


def human(ns):
    if ns < 1e3:
        return "<1 µs"  # a cached value (dmi, selinux) or nothing configured (textfile)
    return "%.0f µs" % (ns / 1e3) if ns < 1e6 else "%.1f ms" % (ns / 1e6)


def costs(benchmarks):
    """{collector: {"fixture": text, "host": text}}"""
    table = {}
    for b in benchmarks:
        _, name, where = b["name"].split("/")
        if b.get("error_occurred"):
            text = "no data"
        else:
            scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
            text = human(b["cpu_time"] * scale)
        table.setdefault(name, {})[where] = text
    return table


def cell(c):
    return "%s / %s" % (c.get("fixture", "?"), c.get("host", "?"))


def write_doc(table):
    with open(DOC) as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^\| `([a-z_]+)` \| (on|off) \|", line)
        if m and m.group(1) in table:
            cells = line.rstrip("|").split(" | ")
            lines[i] = " | ".join(cells[:-1] + [cell(table[m.group(1)])]) + " |"
    with open(DOC, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--microbench", default=os.path.join(SOURCE_DIR, "build-release", "bench", "hostwatch_microbench"))
    ap.add_argument("--min-time", default="0.2")
    ap.add_argument("--write", action="store_true", help="update the CPU column of docs/collectors.md")
    args = ap.parse_args()
    table = costs(run_benchmarks(args.microbench, args.min_time))
    print("| collector | CPU per scrape: fixture tree / this machine |\n|---|---|")
    for name in sorted(table):
        print("| %s | %s |" % (name, cell(table[name])))
    if args.write:
        write_doc(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
