#!/usr/bin/env python3
"""Whole-process comparison of hostwatch with node_exporter and blackbox_exporter.

Run on demand (never from ctest), as root when the peers still need installing:

    bench/compare.py --quick      # < 2 minutes
    bench/compare.py              # full: 10,000 scrapes, longer check runs
    bench/compare.py --profile    # also: perf profile of hostwatch's scrape path (top functions)

What it does, all on 127.0.0.1 and bounded in count and time:
  1. installs Debian's prometheus-node-exporter and prometheus-blackbox-exporter if missing (apt-get,
     without letting their daemons start), builds hostwatch and raw_read_floor in Release mode
     (build-release/, incremental), unless --hostwatch/--floor point at binaries;
  2. starts hostwatch, node_exporter (default collectors) and blackbox_exporter on free loopback ports,
     started and stopped by this script (by PID);
  3. scrapes hostwatch and node_exporter in interleaved batches (A/B/floor order shuffled per round):
     CPU per 1,000 scrapes from /proc/<pid>/stat utime+stime deltas, latency p50/p99 measured by the
     client, samples per scrape, RssAnon/RssFile from /proc/<pid>/status after 1,000 and 10,000 scrapes;
     the floor is raw_read_floor reading the files of the same collectors hostwatch has enabled;
  4. probes a local target through blackbox_exporter and hostwatch's ad-hoc /probe alike (back to back,
     interleaved): overhead = probe_duration_seconds minus a direct request to the same target; CPU per
     1,000 probes; hostwatch's scheduled checks as info rows;
  5. 1,000 checks at a 10 s interval (hostwatch only, once checks exist);
  5a. "probers": CPU per 1,000 runs of the tcp (later dns, icmp) prober, hostwatch's scheduled checks
     against blackbox_exporter's /probe on the same blackbox.yml module (bench/compare_probers.py);
  5b. "same collectors": both agents with --collector.disable-defaults and the collectors both enable
     by default, so the CPU ratio compares the same work (bench/compare_same_collectors.py);
  6. "big host": a generated --path.procfs/--path.sysfs/--path.rootfs tree with 100 and 1,000 mounts,
     disks and network interfaces, scraped by both agents;
  6b. "netns": 1,000 real interfaces (500 veth pairs in a network namespace of its own), netclass
     over sysfs vs over netlink, both agents (bench/compare_netns_netclass.py);
  7. "remotewrite": hostwatch pushing every 15 s against hostwatch scraped by Prometheus in agent mode
     that remote-writes, to the same VictoriaMetrics: CPU per push, memory, bytes per sample
     (bench/compare_remote_write.py).
Then prints ONE table: metric | hostwatch | peer | ratio | budget | result.
Budgets: the project's performance targets (issue 9); docs/performance.md explains the table.
"""

import argparse
import gzip
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "testutil"))
from process import Process  # noqa: E402  tests/testutil: the one process wrapper
from target_server import Reply, TargetServer  # noqa: E402  tests/testutil: the one target server
from compare_same_collectors import same_collectors_phase  # noqa: E402
from compare_probers import probers_phase  # noqa: E402
from compare_netns_netclass import netns_netclass_phase  # noqa: E402
from compare_remote_write import remote_write_phase  # noqa: E402

NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
PEER_PACKAGES = ["prometheus-node-exporter", "prometheus-blackbox-exporter"]
NA_CHECKS = "n/a (checks not in this build)"
# Prometheus asks for gzip; we ask both agents for the same 0.0.4 text format.
SCRAPE_HEADERS = {"Accept": "text/plain;version=0.0.4", "Accept-Encoding": "gzip"}


def log(msg):
    print("[compare] " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes ---

class HttpClient:
    """One keep-alive connection, as Prometheus keeps one per target."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path, headers=None):
        """Returns (status, body bytes decoded, seconds until the whole body arrived)."""
        t0 = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=headers or {})
            resp = self.conn.getresponse()
            body = resp.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # server closed the idle connection: reconnect once
            t0 = time.perf_counter()
            self.conn.request("GET", path, headers=headers or {})
            resp = self.conn.getresponse()
            body = resp.read()
        elapsed = time.perf_counter() - t0
        if resp.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return resp.status, body.decode(errors="replace"), elapsed

    def close(self):
        self.conn.close()


def count_samples(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def sample_values(text, name):
    """Values of every series of metric `name` in an exposition."""
    out = []
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            try:
                out.append(float(line.rsplit(" ", 1)[1]))
            except ValueError:
                pass
    return out


# -------------------------------------------------------------- preparation ---

def ensure_peers(args):
    missing = [p for p, b in zip(PEER_PACKAGES, [NODE_EXPORTER, BLACKBOX]) if not os.path.exists(b)]
    if not missing:
        return
    if args.no_install or os.geteuid() != 0:
        log("peers missing (%s) and not installing them (--no-install or not root): peer rows will be n/a"
            % " ".join(missing))
        return
    # policy-rc.d exit 101 tells the maintainer scripts not to start the daemons.
    policy = "/usr/sbin/policy-rc.d"
    created_policy = not os.path.exists(policy)
    if created_policy:
        with open(policy, "w") as f:
            f.write("#!/bin/sh\n# temporary, written by hostwatch bench/compare.py\nexit 101\n")
        os.chmod(policy, 0o755)
    try:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        log("installing " + " ".join(missing) + " with apt-get")
        rc = subprocess.call(["apt-get", "install", "-y", "--no-install-recommends"] + missing, env=env,
                             stdout=subprocess.DEVNULL)
        if rc != 0:
            subprocess.call(["apt-get", "update"], env=env, stdout=subprocess.DEVNULL)
            subprocess.check_call(["apt-get", "install", "-y", "--no-install-recommends"] + missing, env=env,
                                  stdout=subprocess.DEVNULL)
    finally:
        if created_policy:
            os.unlink(policy)
    # On a host booted with systemd the units were enabled: stop and disable them, we start our own.
    if os.path.exists("/run/systemd/system"):
        units = [p + ".service" for p in missing]
        subprocess.call(["systemctl", "disable", "--now"] + units, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)


def build_release(args):
    if args.hostwatch and args.floor:
        return args.hostwatch, args.floor
    build = os.path.join(SOURCE_DIR, "build-release")
    if not os.path.exists(os.path.join(build, "build.ninja")):
        log("configuring a Release build in " + build)
        subprocess.check_call(["cmake", "-S", SOURCE_DIR, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                               "-DHOSTWATCH_BUILD_TESTS=OFF", "-DHOSTWATCH_BUILD_BENCH=ON"],
                              stdout=subprocess.DEVNULL)
    log("building hostwatch and raw_read_floor (Release, incremental)")
    subprocess.check_call(["cmake", "--build", build, "-j2", "--target", "hostwatch", "raw_read_floor"],
                          stdout=subprocess.DEVNULL)
    return (args.hostwatch or os.path.join(build, "agent", "hostwatch"),
            args.floor or os.path.join(build, "bench", "raw_read_floor"))


def start_daemon(name, binary, *flags):
    """binary listening on a free loopback port; ready once the port accepts a connection."""
    return Process.on_free_port(lambda port: [binary, "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"] +
                                list(flags), name=name, timeout=20)


def start_hostwatch(binary, *flags):
    return start_daemon("hostwatch", binary, *flags)


def start_node_exporter(*flags):
    return start_daemon("node_exporter", NODE_EXPORTER, *flags)


def enabled_collectors(text):
    return sorted(set(re.findall(r'^node_scrape_collector_success\{collector="([^"]+)"\}', text, re.M)))


# ------------------------------------------------------------ scrape phases ---

class Subject:
    """What one A/B contestant accumulated over the interleaved batches."""

    def __init__(self, name, process):
        self.name, self.process = name, process
        self.client = HttpClient(process.port) if process else None
        self.cpu = 0.0
        self.scrapes = 0
        self.latencies = []
        self.samples = 0
        self.switches = 0

    def batch(self, n):
        switches = self.process.context_switches()
        before = self.process.cpu_seconds()
        for i in range(n):
            status, body, elapsed = self.client.get("/metrics", SCRAPE_HEADERS)
            if status != 200:
                raise RuntimeError("%s /metrics answered %d" % (self.name, status))
            self.latencies.append(elapsed)
            if i == 0:
                self.samples = count_samples(body)
        self.cpu += self.process.cpu_seconds() - before
        self.switches += self.process.context_switches() - switches
        self.scrapes += n

    def cpu_ms_per_scrape(self):
        return self.cpu * 1000.0 / self.scrapes if self.scrapes else float("nan")


class Floor:
    """raw_read_floor runs, one per batch, reading what a collector set reads."""

    def __init__(self, binary, collectors, extra=()):
        self.binary, self.collectors, self.extra = binary, collectors, list(extra)
        self.cpu = 0.0
        self.iterations = 0
        self.last = {}

    warned = set()

    def batch(self, n):
        run = subprocess.run([self.binary, "--collectors=" + ",".join(self.collectors), "--iterations=%d" % n,
                              "--max-seconds=60"] + self.extra, capture_output=True, text=True, check=True)
        for line in run.stderr.splitlines():
            if line not in Floor.warned:
                Floor.warned.add(line)
                log(line)
        self.last = dict(kv.split("=", 1) for kv in run.stdout.split())
        self.cpu += float(self.last["cpu_seconds"])
        self.iterations += int(self.last["iterations"])

    def cpu_ms_per_scrape(self):
        return self.cpu * 1000.0 / self.iterations if self.iterations else float("nan")


def interleave(contestants, total, batch, deadline, weights=None):
    """Runs `total` scrapes per contestant in batches, shuffling the order every round. weights
    multiplies the count for a cheap contestant, so its CPU delta spans enough clock ticks."""
    weights = weights or {}
    done = 0
    while done < total and time.monotonic() < deadline:
        n = min(batch, total - done)
        order = list(contestants)
        random.shuffle(order)
        for c in order:
            c.batch(n * weights.get(c, 1))
        done += n
    return done


# -------------------------------------------------------------- the table ---

class Table:
    def __init__(self):
        self.rows = []

    def add(self, metric, ours, peer, ratio, budget, ok):
        """ok: True/False for a budget row, None for information only."""
        result = "-" if ok is None else ("PASS" if ok else "MISS")
        if isinstance(ours, str) and ours.startswith("n/a") and ok is None:
            result = "n/a"
        self.rows.append((metric, ours, peer, ratio, budget, result))

    def text(self):
        header = ("metric", "hostwatch", "peer", "ratio", "budget", "result")
        widths = [max(len(str(r[i])) for r in self.rows + [header]) for i in range(6)]
        line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
        sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([line(header), sep] + [line(r) for r in self.rows])


def fmt(v, unit="", digits=3):
    if isinstance(v, str):  # an error or n/a text in place of a figure
        return v
    if v is None or (isinstance(v, float) and v != v):
        return "n/a"
    return ("%." + str(digits) + "g") % v + unit


def ratio(a, b):
    if a is None or b is None or not b or a != a or b != b:
        return None
    return a / b


def budget_row(table, metric, ours, peer, unit, limit, budget_text, digits=3):
    r = ratio(ours, peer)
    ok = None if r is None else r <= limit
    table.add(metric, fmt(ours, unit, digits), fmt(peer, unit, digits), fmt(r, "", 3), budget_text, ok)


# ----------------------------------------------------------------- phases ---

def host_scrape_phase(args, table, hostwatch_bin, floor_bin):
    hw = start_hostwatch(hostwatch_bin)
    ne = start_node_exporter() if os.path.exists(NODE_EXPORTER) else None
    try:
        _, text, _ = HttpClient(hw.port).get("/metrics", SCRAPE_HEADERS)
        hw_collectors = enabled_collectors(text)
        ne_collectors = []
        if ne:
            _, ne_text, _ = HttpClient(ne.port).get("/metrics", SCRAPE_HEADERS)
            ne_collectors = enabled_collectors(ne_text)
        log("hostwatch collectors (the floor reads what these read): " + ",".join(hw_collectors))
        log("node_exporter collectors: " + ",".join(ne_collectors))
        a = Subject("hostwatch", hw)
        b = Subject("node_exporter", ne) if ne else None
        # "self": the process_* self metrics both agents add to every scrape.
        floor = Floor(floor_bin, hw_collectors + ["self"])
        ne_floor = Floor(floor_bin, ne_collectors + ["self"]) if ne_collectors else None
        contestants = [c for c in (a, b, floor, ne_floor) if c]
        deadline = time.monotonic() + args.phase_seconds
        n1 = interleave(contestants, args.scrapes, args.batch, deadline)
        rss1 = {s.name: s.process.rss_anon_file_kib() for s in (a, b) if s}
        # CPU and latency are judged on the first block; RSS keeps going to the second checkpoint.
        cpu_a, cpu_b = a.cpu_ms_per_scrape(), b.cpu_ms_per_scrape() if b else None
        lat_a, lat_b = list(a.latencies), list(b.latencies) if b else []
        rest = [c for c in (a, b) if c]
        n2 = n1 + interleave(rest, args.rss_scrapes - n1, args.batch * 5, deadline + args.phase_seconds)
        rss2 = {s.name: s.process.rss_anon_file_kib() for s in rest}

        peer = "node_exporter %s" % ("1.5" if ne else "missing")
        budget_row(table, "CPU per 1,000 scrapes (s) vs %s" % peer, cpu_a, cpu_b, "", 0.10, "<= 0.10x")
        budget_row(table, "CPU per 1,000 scrapes (s) vs raw-read floor [%d collectors+self]" % len(hw_collectors), cpu_a,
                   floor.cpu_ms_per_scrape(), "", 4.0, "<= 4x")
        if ne_floor:
            table.add("  (info) raw-read floor of node_exporter's %d collectors, s/1,000" % len(ne_collectors),
                      "-", fmt(ne_floor.cpu_ms_per_scrape()), fmt(ratio(cpu_b, ne_floor.cpu_ms_per_scrape())),
                      "-", None)
        for p in (50, 99):
            ours = percentile(lat_a, p) * 1000
            theirs = percentile(lat_b, p) * 1000 if lat_b else None
            budget_row(table, "scrape latency p%d (ms)" % p, ours, theirs, "", 0.20, "<= 0.20x")
        p99 = percentile(lat_a, 99) * 1000
        table.add("scrape latency p99 (ms), absolute", fmt(p99), "-", "-", "< 2 ms", p99 < 2.0)
        table.add("samples per scrape", str(a.samples), str(b.samples) if b else "n/a",
                  fmt(ratio(a.samples, b.samples if b else None)), "report", None)
        sw_a = a.switches / a.scrapes
        sw_b = b.switches / b.scrapes if b else None
        table.add("  (info) context switches per scrape, all threads", fmt(sw_a), fmt(sw_b), fmt(ratio(sw_a, sw_b)),
                  "-", None)
        for label, rss in (("after %d scrapes" % n1, rss1), ("after %d scrapes" % n2, rss2)):
            ours = rss["hostwatch"]
            theirs = rss.get("node_exporter")
            ratios = "%s / %s" % (fmt(ratio(ours[0], theirs[0])), fmt(ratio(ours[1], theirs[1]))) if theirs else "-"
            table.add("RSS anon / file (MiB) " + label, "%.1f / %.1f" % (ours[0] / 1024, ours[1] / 1024),
                      "%.1f / %.1f" % (theirs[0] / 1024, theirs[1] / 1024) if theirs else "n/a", ratios, "report",
                      None)
        ours, theirs = sum(rss2["hostwatch"]) / 1024, sum(rss2["node_exporter"]) / 1024 if b else None
        budget_row(table, "RSS total (MiB) after %d scrapes" % n2, ours, theirs, "", 0.50, "<= 0.50x (aim 0.33x)")
        growth = (sum(rss2["hostwatch"]) - sum(rss1["hostwatch"]))
        peer_growth = (sum(rss2["node_exporter"]) - sum(rss1["node_exporter"])) if b else None
        table.add("RSS growth %d -> %d scrapes (KiB)" % (n1, n2), str(growth),
                  str(peer_growth) if peer_growth is not None else "n/a", "-", "<= 256 KiB", growth <= 256)
        if n2 < 10000:
            log("RSS second checkpoint is %d scrapes (quick mode or time limit); the budget is defined at 10,000" % n2)
    finally:
        hw.stop()
        if ne:
            ne.stop()


class TargetProcess:
    """The local HTTP target of the probes: a separate Python process, so its CPU is not ours or theirs."""

    def __init__(self):
        self.proc = Process.on_free_port(lambda port: [sys.executable, os.path.abspath(__file__),
                                                       "--serve-target=%d" % port], name="target", timeout=20)
        self.port = self.proc.port

    def url(self):
        return "http://127.0.0.1:%d/" % self.port

    def stop(self):
        self.proc.stop()


def serve_target(port):
    server = TargetServer({"*": Reply(200, b"<html><body>ok</body></html>\n", [("Content-Type", "text/html")])},
                          port=port, keep_alive=True, start=False)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    server.serve_forever()


def direct_latencies(url_port, n):
    """A fresh connection per request, as a prober makes one per probe."""
    out = []
    for _ in range(n):
        c = HttpClient(url_port)
        status, _, elapsed = c.get("/")
        c.close()
        if status == 200:
            out.append(elapsed)
    return out


def has_probe_endpoint(hostwatch_bin):
    hw = start_hostwatch(hostwatch_bin)
    try:
        status, _, _ = HttpClient(hw.port).get("/probe")
        return status != 404
    finally:
        hw.stop()


def checks_config(path, target_url, count, interval_seconds):
    """count checks of target_url (README "HTTP checks"); the timeout must stay below the interval."""
    timeout_ms = min(5000, interval_seconds * 500)
    with open(path, "w") as f:
        f.write("http_checks:\n  defaults: {interval: %ds, timeout: %dms, jitter: 0s}\n"
                "  checks:\n" % (interval_seconds, timeout_ms))
        for i in range(count):
            f.write("    - name: bench%04d\n      url: %s\n" % (i, target_url))


def curl_latencies(url, n):
    """time_total of n direct requests made by one curl process, each on a fresh connection
    (Connection: close), as a prober makes one per probe: a compiled client's warm view of the target,
    without the Python client's overhead. Empty if curl is missing."""
    if not shutil.which("curl"):
        return []
    argv = ["curl", "-s", "-H", "Connection: close", "-w", "%{time_total}\\n"]
    for _ in range(n):
        argv += ["-o", "/dev/null", url]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    values = [float(v) for v in r.stdout.split()]
    return values[1:]  # the first request pays curl's one-time setup


def adhoc_probe_config(path, target_url):
    """One check named bench (its own schedule hourly, so it stays out of the way) whose module may
    probe any port on 127.0.0.1 on request: /probe?module=bench&target=URL, blackbox's shape. The
    check's own URL differs from target_url, whose /probe would otherwise answer the cached result."""
    with open(path, "w") as f:
        f.write("http_checks:\n  defaults: {interval: 1h, timeout: 5s, jitter: 0s}\n"
                "  probe_targets: {enabled: true, allowed_targets: [\"127.0.0.1\"], max_concurrent: 4}\n"
                "  checks:\n    - name: bench\n      url: %sscheduled\n" % target_url)


def probe_phase(args, table, hostwatch_bin, tmp):
    """Probe overhead = the prober's own probe_duration_seconds minus a direct request to the same target
    measured by a warm curl (all three compiled HTTP clients making a fresh connection). Both probers are
    driven alike: /probe with the target in the query, back to back on one keep-alive connection, the two
    interleaved (order shuffled per round) with a direct Python request, so load drift hits all three.
    The client-observed variant (wall time of /probe minus a direct request) and hostwatch's scheduled
    checks are printed as info rows."""
    target = TargetProcess()
    bb = hw = None
    try:
        direct_curl = curl_latencies(target.url(), min(200, args.probes // 2))
        direct_ms = statistics.median(direct_curl) * 1000 if direct_curl else None
        probers = {}  # name -> (process, client, path)
        if os.path.exists(BLACKBOX):
            cfg = os.path.join(tmp, "blackbox.yml")
            with open(cfg, "w") as f:
                f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n"
                        "    http:\n      preferred_ip_protocol: ip4\n")
            bb = start_daemon("blackbox_exporter", BLACKBOX, "--config.file=" + cfg)
            probers["blackbox"] = (bb, HttpClient(bb.port), "/probe?module=http_2xx&target=" + target.url())
        if has_probe_endpoint(hostwatch_bin):
            cfg = os.path.join(tmp, "hostwatch-adhoc.yml")
            adhoc_probe_config(cfg, target.url())
            hw = start_hostwatch(hostwatch_bin, "--config.file=" + cfg)
            probers["hostwatch"] = (hw, HttpClient(hw.port), "/probe?module=bench&target=" + target.url())
        figures = {name: {"durations": [], "walls": [], "cpu": 0.0, "n": 0, "failed": 0} for name in probers}
        for name, (_, client, path) in probers.items():
            client.get(path)  # warm-up
        direct_py = []
        rng = random.Random(args.seed)
        deadline = time.monotonic() + args.phase_seconds
        rounds = 0
        while rounds < args.probes and time.monotonic() < deadline:
            order = list(probers) + ["direct"]
            rng.shuffle(order)
            for name in order:
                if name == "direct":
                    direct_py += direct_latencies(target.port, 1)
                    continue
                proc, client, path = probers[name]
                f = figures[name]
                before = proc.cpu_seconds()
                _, text, wall = client.get(path)
                f["cpu"] += proc.cpu_seconds() - before
                f["walls"].append(wall)
                f["durations"] += sample_values(text, "probe_duration_seconds")
                f["failed"] += 0 if sample_values(text, "probe_success") == [1.0] else 1
                f["n"] += 1
            rounds += 1
        overhead, cpu, client_overhead = {}, {}, {}
        for name, f in figures.items():
            if not f["n"] or not f["durations"]:
                continue
            cpu[name] = f["cpu"] * 1000.0 / f["n"]
            if direct_ms is not None:
                overhead[name] = statistics.median(f["durations"]) * 1000 - direct_ms
            client_overhead[name] = (statistics.median(f["walls"]) - statistics.median(direct_py)) * 1000
            log("%s: %d probes (%d not successful); median probe_duration_seconds %.3f ms, /probe wall %.3f ms; "
                "direct request: curl %s ms, python %.3f ms" % (
                    name, f["n"], f["failed"], statistics.median(f["durations"]) * 1000,
                    statistics.median(f["walls"]) * 1000, fmt(direct_ms), statistics.median(direct_py) * 1000))
        hw_overhead = overhead.get("hostwatch", NA_CHECKS if "hostwatch" not in probers else "error: no probes")
        hw_cpu = cpu.get("hostwatch", NA_CHECKS if "hostwatch" not in probers else "error: no probes")
        probe_row(table, "probe overhead, median (ms) vs blackbox_exporter 0.23", hw_overhead,
                  overhead.get("blackbox"), 0.25, "<= 0.25x and < 0.3 ms", absolute=0.3)
        table.add("  (info) /probe wall minus direct request wall (ms)", fmt(client_overhead.get("hostwatch")),
                  fmt(client_overhead.get("blackbox")), "-", "-", None)
        probe_row(table, "CPU per 1,000 probes (s) vs blackbox_exporter 0.23", hw_cpu, cpu.get("blackbox"), 0.25,
                  "<= 0.25x")
        if hw:
            hw.stop()
            hw = None
        if "hostwatch" in probers:
            sched_overhead, sched_cpu = hostwatch_probe_figures(args, hostwatch_bin, tmp, target, direct_ms)
            table.add("  (info) scheduled checks (50 at 1 s): overhead (ms)", fmt(sched_overhead), "-", "-", "-", None)
            table.add("  (info) scheduled checks (50 at 1 s): CPU per 1,000 runs (s)", fmt(sched_cpu), "-", "-", "-",
                      None)
        many_checks_rows(args, table, hostwatch_bin, tmp, target)
    finally:
        if hw:
            hw.stop()
        if bb:
            bb.stop()
        target.stop()


def probe_row(table, metric, ours, peer, limit, budget, absolute=None):
    if isinstance(ours, str):
        table.add(metric, ours, fmt(peer), "-", budget, None)
        return
    r = ratio(ours, peer)
    ok = r is not None and r <= limit and (absolute is None or ours < absolute)
    table.add(metric, fmt(ours), fmt(peer), fmt(r), budget, ok)


def hostwatch_probe_figures(args, hostwatch_bin, tmp, target, direct_ms):
    """Checks run on hostwatch's schedule, not on request: run 50 checks at 1 s and read
    probe_duration_seconds and the CPU spent. Written against the checks' config and metric names (docs/checks.md);
    a mismatch is reported in the row rather than aborting the run."""
    try:
        cfg = os.path.join(tmp, "probe-checks.yml")
        checks, seconds = 50, max(10, min(args.phase_seconds, args.probes // 50))
        checks_config(cfg, target.url(), checks, 1)
        hw = start_hostwatch(hostwatch_bin, "--config.file=" + cfg)
        try:
            client = HttpClient(hw.port)
            time.sleep(2)
            _, text, _ = client.get("/metrics", SCRAPE_HEADERS)
            count0 = sum(sample_values(text, "probe_all_success_count"))
            before, t0 = hw.cpu_seconds(), time.monotonic()
            durations = []
            while time.monotonic() - t0 < seconds:
                time.sleep(1)
                _, text, _ = client.get("/metrics", SCRAPE_HEADERS)
                durations += sample_values(text, "probe_duration_seconds")
            # The once-a-second scrapes are included; at ~0.3 ms each they are noise next to 50 probes/s.
            cpu = hw.cpu_seconds() - before
            counted = sum(sample_values(text, "probe_all_success_count")) - count0
            probes = counted if counted > 0 else checks * (time.monotonic() - t0)
            if not durations or direct_ms is None:
                return "error: no probe_duration_seconds on /metrics (or no curl)", "error"
            return statistics.median(durations) * 1000 - direct_ms, cpu * 1000.0 / probes
        finally:
            hw.stop()
    except Exception as e:  # the checks interface is still arriving
        return "error: %s" % e, "error"


def many_checks_rows(args, table, hostwatch_bin, tmp, target):
    rows = ["1,000 checks @10 s: CPU (% of one core)", "1,000 checks @10 s: p99 schedule delay (ms)",
            "1,000 checks @10 s: memory per check (KiB)"]
    if not has_probe_endpoint(hostwatch_bin):
        for r, b in zip(rows, ["< 5%", "< 50 ms", "report"]):
            table.add(r, NA_CHECKS, "-", "-", b, None)
        return
    try:
        base = start_hostwatch(hostwatch_bin)
        time.sleep(1)
        base_rss = sum(base.rss_anon_file_kib())
        base.stop()
        cfg = os.path.join(tmp, "many-checks.yml")
        checks_config(cfg, target.url(), 1000, 10)
        hw = start_hostwatch(hostwatch_bin, "--config.file=" + cfg)
        try:
            time.sleep(12)  # one full interval so every check has run
            before, t0 = hw.cpu_seconds(), time.monotonic()
            time.sleep(args.checks_seconds)
            cpu_pct = (hw.cpu_seconds() - before) / (time.monotonic() - t0) * 100
            _, text, _ = HttpClient(hw.port).get("/metrics", SCRAPE_HEADERS)
            delay = schedule_delay_p99_ms(text)
            per_check = (sum(hw.rss_anon_file_kib()) - base_rss) / 1000.0
        finally:
            hw.stop()
        table.add(rows[0], fmt(cpu_pct), "-", "-", "< 5%", cpu_pct < 5)
        table.add(rows[1], fmt(delay) if delay is not None else "not exported", "-", "-", "< 50 ms",
                  None if delay is None else delay < 50)
        table.add(rows[2], fmt(per_check), "-", "-", "report", None)
    except Exception as e:
        for r in rows:
            table.add(r, "error: %s" % e, "-", "-", "-", None)


def schedule_delay_p99_ms(text):
    """p99 of the first histogram whose name mentions the schedule delay, interpolated inside its bucket
    the way PromQL's histogram_quantile does; None if hostwatch exports no such histogram."""
    buckets = {}
    for m in re.finditer(r'^(\w*schedul\w*delay\w*)_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)', text, re.M):
        le = float("inf") if m.group(2) == "+Inf" else float(m.group(2))
        buckets[le] = buckets.get(le, 0) + float(m.group(3))
    if not buckets or not buckets.get(float("inf")):
        return None
    rank = 0.99 * buckets[float("inf")]
    lower, below = 0.0, 0.0
    for le in sorted(buckets):
        if buckets[le] >= rank:
            if le == float("inf"):
                return lower * 1000
            return (lower + (le - lower) * (rank - below) / max(buckets[le] - below, 1e-9)) * 1000
        lower, below = le, buckets[le]
    return None


# --------------------------------------------------------------- big host ---

def base26(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(ord("a") + r) + s
    return s


def copy_if_exists(src, dst):
    if os.path.exists(src):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        try:
            shutil.copyfile(src, dst)
        except OSError:
            pass


def generate_big_host(root, n):
    """A procfs/sysfs/rootfs tree with n mounts, n disks and n network interfaces. Files the
    generator does not scale are copied from this host, so other collectors still find data."""
    proc, sys_, rootfs = os.path.join(root, "proc"), os.path.join(root, "sys"), os.path.join(root, "rootfs")
    for rel in ("stat", "loadavg", "meminfo", "vmstat", "pressure/cpu", "pressure/io", "pressure/memory",
                "sys/fs/file-nr", "net/netstat", "net/snmp", "net/snmp6", "net/sockstat", "net/sockstat6",
                "schedstat", "net/softnet_stat", "sys/kernel/random/entropy_avail", "sys/kernel/random/poolsize"):
        copy_if_exists("/proc/" + rel, os.path.join(proc, rel))
    copy_if_exists("/etc/os-release", os.path.join(rootfs, "etc/os-release"))
    disks = ["sd" + base26(i) for i in range(n)]
    ifaces = ["eth%d" % i for i in range(n)]
    with open(os.path.join(proc, "diskstats"), "w") as f:
        for i, d in enumerate(disks):
            f.write("%4d %7d %s 8463 6 516926 4318 7433 10123 269424 8870 0 13492 13200 0 0 0 0 60 12\n"
                    % (8 + i // 16 * 0, i * 16, d))
    os.makedirs(os.path.join(proc, "net"), exist_ok=True)
    with open(os.path.join(proc, "net/dev"), "w") as f:
        f.write("Inter-|   Receive                                                |  Transmit\n"
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
                "colls carrier compressed\n")
        for i, iface in enumerate(ifaces):
            f.write("%6s: %d 1234 0 0 0 0 0 0 %d 4321 0 0 0 0 0 0\n" % (iface, 100000 + i, 200000 + i))
    lines = ["22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"]
    for i, d in enumerate(disks):
        mp = "/mnt/vol%04d" % i
        os.makedirs(rootfs + mp, exist_ok=True)
        lines.append("%d 22 8:%d / %s rw,relatime shared:%d - ext4 /dev/%s rw\n" % (100 + i, i * 16, mp, i + 2, d))
    for rel in ("1/mountinfo", "self/mountinfo"):
        os.makedirs(os.path.dirname(os.path.join(proc, rel)), exist_ok=True)
        with open(os.path.join(proc, rel), "w") as f:
            f.writelines(lines)
    with open(os.path.join(proc, "mounts"), "w") as f:
        f.write("/dev/vda1 / ext4 rw,relatime 0 0\n")
        for i, d in enumerate(disks):
            f.write("/dev/%s /mnt/vol%04d ext4 rw,relatime 0 0\n" % (d, i))
    for d in disks:
        q = os.path.join(sys_, "block", d, "queue")
        os.makedirs(q, exist_ok=True)
        for attr, value in (("rotational", "0"), ("logical_block_size", "512"), ("hw_sector_size", "512")):
            with open(os.path.join(q, attr), "w") as f:
                f.write(value + "\n")
    attrs = {"address": "52:54:00:12:34:%02x", "addr_assign_type": "0", "broadcast": "ff:ff:ff:ff:ff:ff",
             "carrier": "1", "carrier_changes": "2", "carrier_up_count": "1", "carrier_down_count": "1",
             "dev_id": "0x0", "dormant": "0", "duplex": "full", "flags": "0x1003", "ifalias": "",
             "ifindex": "%d", "iflink": "%d", "mtu": "1500", "name_assign_type": "4", "netdev_group": "0",
             "operstate": "up", "speed": "10000", "tx_queue_len": "1000", "type": "1"}
    for i, iface in enumerate(ifaces):
        d = os.path.join(sys_, "class/net", iface)
        os.makedirs(d, exist_ok=True)
        for attr, value in attrs.items():
            with open(os.path.join(d, attr), "w") as f:
                f.write((value % (i % 256) if "%" in value else value) + "\n")
    return proc, sys_, rootfs


BIG_HOST_TREE_VERSION = "1"  # bump when generate_big_host changes, so cached trees are rebuilt


def big_host_tree(cache_dir, n):
    """The generated tree for n objects, cached under cache_dir (creating ~25,000 small files takes a while)."""
    root = os.path.join(cache_dir, "bighost-%d" % n)
    stamp = os.path.join(root, "complete-v" + BIG_HOST_TREE_VERSION)
    paths = tuple(os.path.join(root, d) for d in ("proc", "sys", "rootfs"))
    if os.path.exists(stamp):
        return paths
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.monotonic()
    generate_big_host(root, n)
    open(stamp, "w").close()
    log("generated big-host tree with %d mounts/disks/interfaces in %.1f s (cached in %s)"
        % (n, time.monotonic() - t0, root))
    return paths


def big_host_phase(args, table, hostwatch_bin, cache_dir):
    results = {}
    for n in (100, 1000):
        proc, sys_, rootfs = big_host_tree(cache_dir, n)
        paths = ["--path.procfs=" + proc, "--path.sysfs=" + sys_, "--path.rootfs=" + rootfs]
        hw = start_hostwatch(hostwatch_bin, *paths)
        ne = start_node_exporter(*(paths + ["--no-collector.netdev.netlink"])) if os.path.exists(NODE_EXPORTER) \
            else None
        try:
            subjects = [Subject("hostwatch", hw)] + ([Subject("node_exporter", ne)] if ne else [])
            # A cheap contestant gets more scrapes per round (up to 100x) so that its CPU delta spans
            # many 1/CLK_TCK ticks: calibrate on a few scrapes, aiming at ~0.2 s of CPU per round.
            per_round = max(1, args.big_scrapes // 5)
            calibration = Subject("hostwatch", hw)
            calibration.batch(10)
            cost_ms = max(calibration.cpu_ms_per_scrape(), 0.05)
            weight = max(1, min(100, int(200 / (cost_ms * per_round))))
            interleave(subjects, args.big_scrapes, per_round, time.monotonic() + args.phase_seconds,
                       weights={subjects[0]: weight})
            results[n] = {s.name: (s.cpu_ms_per_scrape(), s.samples) for s in subjects}
        finally:
            hw.stop()
            if ne:
                ne.stop()
    ours = results[1000]["hostwatch"]
    theirs = results[1000].get("node_exporter", (None, None))
    table.add("big host (1,000 mounts/disks/ifaces): CPU per scrape (ms)", fmt(ours[0]), fmt(theirs[0]),
              fmt(ratio(ours[0], theirs[0])), "< 20 ms", ours[0] < 20)
    table.add("big host: samples per scrape", str(ours[1]), str(theirs[1]) if theirs[1] is not None else "n/a",
              "-", "report", None)
    grow = ratio(ours[0], results[100]["hostwatch"][0])
    peer_grow = ratio(theirs[0], results[100].get("node_exporter", (None,))[0])
    if ours[1] == results[100]["hostwatch"][1]:
        # Same samples at both sizes: no enabled hostwatch collector reads mounts, disks or interfaces yet.
        table.add("big host: CPU growth 100 -> 1,000 objects (x)", "n/a (no collector reads them yet)",
                  fmt(peer_grow), "-", "<= 10x (linear)", None)
    else:
        table.add("big host: CPU growth 100 -> 1,000 objects (x)", fmt(grow), fmt(peer_grow), "-",
                  "<= 10x (linear)", None if grow is None else grow <= 10)


# ---------------------------------------------------------------- profile ---

def profile_phase(args, hostwatch_bin):
    """perf record of hostwatch while it serves scrapes; prints the top functions."""
    if not shutil.which("perf"):
        log("perf not installed; skipping the profile")
        return
    hw = start_hostwatch(hostwatch_bin)
    data = tempfile.NamedTemporaryFile(suffix=".perf.data", delete=False).name
    try:
        perf = subprocess.Popen(["perf", "record", "-F", "2000", "-g", "-o", data, "-p", str(hw.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        client = HttpClient(hw.port)
        t0 = time.monotonic()
        n = 0
        while n < args.profile_scrapes and time.monotonic() - t0 < 60:
            client.get("/metrics", SCRAPE_HEADERS)
            n += 1
        perf.send_signal(signal.SIGINT)
        perf.wait(30)
        print("\nperf profile of hostwatch over %d scrapes (self time):" % n)
        for sort, limit in (("dso", "1"), ("dso,symbol", "0.8")):
            report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", sort,
                                     "--percent-limit", limit, "-g", "none"], capture_output=True, text=True).stdout
            for line in report.splitlines():
                if line.strip() and not line.startswith("#"):
                    print("  " + " ".join(line.split()[:4 if sort == "dso,symbol" else 2]))
        if shutil.which("strace"):
            syscall_summary(hw, client, 1000)
    finally:
        hw.stop()
        os.unlink(data)


def syscall_summary(hw, client, scrapes):
    """strace -c over all threads: which syscalls a scrape makes, per scrape."""
    out = tempfile.NamedTemporaryFile(suffix=".strace", delete=False).name
    try:
        st = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(hw.pid)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        time.sleep(1)
        for _ in range(scrapes):
            client.get("/metrics", SCRAPE_HEADERS)
        st.terminate()
        st.wait(30)
        print("\nsyscalls per scrape (strace -c -f over %d scrapes; strace itself slows them):" % scrapes)
        with open(out) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 5 and fields[0][0].isdigit() and fields[-1] != "total":
                    calls, name = int(fields[3]), fields[-1]
                    errors = int(fields[4]) if len(fields) == 6 else 0
                    if calls >= scrapes // 2:
                        print("  %-16s %5.1f%s" % (name, calls / scrapes,
                                                   "  (%.1f failed)" % (errors / scrapes) if errors else ""))
    finally:
        os.unlink(out)


# ------------------------------------------------------------------- main ---

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer scrapes and shorter runs (< 2 minutes)")
    ap.add_argument("--hostwatch", help="hostwatch binary (default: build build-release/)")
    ap.add_argument("--floor", help="raw_read_floor binary (default: build build-release/)")
    ap.add_argument("--no-install", action="store_true", help="never apt-get install the peers")
    ap.add_argument("--skip", default="", help="comma list of phases to skip: host,same,probe,probers,bighost,netns,remotewrite")
    ap.add_argument("--profile", action="store_true", help="also perf-profile hostwatch's scrape path")
    ap.add_argument("--seed", type=int, default=1, help="seed of the A/B order shuffle")
    ap.add_argument("--cache-dir", default=os.path.join(SOURCE_DIR, "build-release", "bench-cache"),
                    help="where generated big-host trees are kept between runs")
    ap.add_argument("--serve-target", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_target:
        serve_target(args.serve_target)
        return 0
    # Scrape counts per contestant, batch size, and per-phase wall-clock limits.
    args.scrapes = 1000
    args.batch = 100 if args.quick else 200
    args.rss_scrapes = 2000 if args.quick else 10000
    args.phase_seconds = 60 if args.quick else 400
    args.probes = 500 if args.quick else 2000
    args.prober_runs = 1000 if args.quick else 5000  # per side and prober entry
    args.prober_seconds = 40 if args.quick else 160  # per side and prober entry, at most
    args.checks_seconds = 10 if args.quick else 60
    args.big_scrapes = 5 if args.quick else 100
    args.profile_scrapes = 2000
    random.seed(args.seed)
    skip = set(filter(None, args.skip.split(",")))

    started = time.monotonic()
    ensure_peers(args)
    hostwatch_bin, floor_bin = build_release(args)
    table = Table()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="hostwatch-bench-") as tmp:
        for name, phase in (("host", lambda: host_scrape_phase(args, table, hostwatch_bin, floor_bin)),
                            ("same", lambda: same_collectors_phase(args, table, hostwatch_bin, sys.modules[__name__])),
                            ("probe", lambda: probe_phase(args, table, hostwatch_bin, tmp)),
                            ("probers", lambda: probers_phase(args, table, hostwatch_bin, tmp, sys.modules[__name__])),
                            ("bighost", lambda: big_host_phase(args, table, hostwatch_bin, args.cache_dir)),
                            ("netns", lambda: netns_netclass_phase(args, table, hostwatch_bin,
                                                                   sys.modules[__name__])),
                            ("remotewrite", lambda: remote_write_phase(args, table, hostwatch_bin, tmp,
                                                                       sys.modules[__name__]))):
            if name in skip:
                continue
            t0 = time.monotonic()
            phase()
            log("phase %s took %.0f s" % (name, time.monotonic() - t0))
    versions = []
    for b in (NODE_EXPORTER, BLACKBOX):
        if os.path.exists(b):
            out = subprocess.run([b, "--version"], capture_output=True, text=True)
            versions.append((out.stdout + out.stderr).splitlines()[0])
    print("\nhostwatch bench/compare.py %s, %s, %d CPUs, load average %.1f -> %.1f, %.0f s; peers: %s\n"
          % ("--quick" if args.quick else "full", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             os.cpu_count(), load_before, os.getloadavg()[0], time.monotonic() - started,
             "; ".join(versions) or "none"))
    print(table.text())
    if args.profile:
        profile_phase(args, hostwatch_bin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
