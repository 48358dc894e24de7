#!/usr/bin/env python3
"""HTTP checks benchmark (run on demand, never part of the test suite).

Side by side in one run, against the same local target on 127.0.0.1:
  1. CPU per 1,000 probes: hostwatch running 50 checks every 1 s, and Debian's
     prometheus-blackbox-exporter answering 1,000 sequential /probe requests.
  2. Probe time vs a direct request: median probe_duration_seconds of each against the
     median wall time of a direct fresh-connection request from Python.
  3. 1,000 checks at a 10 s interval in hostwatch: CPU % of one core and the p99 schedule
     delay (upper bound of the histogram bucket holding the 99th percentile).

Usage: bench/http_checks.py [--binary build/agent/hostwatch] [--seconds 30]
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "testutil"))
from hostwatch_testutil import parse_samples  # noqa: E402  tests/testutil
from process import Process  # noqa: E402  tests/testutil: the one process wrapper
from target_server import Reply, TargetServer  # noqa: E402  tests/testutil: the one target server


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


class Hostwatch:
    def __init__(self, binary, tmp, checks, interval, timeout):
        cfg = {"http_checks": {"max_concurrency": 64, "checks": [
            {"name": "c%04d" % i, "url": url, "interval": interval, "timeout": timeout}
            for i, url in enumerate(checks)]}}
        path = os.path.join(tmp, "hw-%d.yml" % len(checks))
        with open(path, "w") as f:
            json.dump(cfg, f)
        self.proc = Process.on_free_port(lambda port: [binary, "--web.listen-address=127.0.0.1:%d" % port,
                                                        "--config.file=" + path, "--collector.disable-defaults"],
                                         name="hostwatch")
        self.port = self.proc.port

    def metrics(self):
        return parse_samples(get("http://127.0.0.1:%d/metrics" % self.port))

    def runs(self):
        return sum(v for k, v in self.metrics().items() if k.startswith("probe_all_success_count"))

    def stop(self):
        self.proc.stop()


def direct_request_seconds(port, n=200):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/")
        c.getresponse().read()
        c.close()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_hostwatch_cpu(binary, tmp, target, seconds):
    hw = Hostwatch(binary, tmp, [target] * 50, "1s", "500ms")
    try:
        time.sleep(3)  # warm up: every check has run
        cpu0, runs0 = hw.proc.cpu_seconds(), hw.runs()
        time.sleep(seconds)
        cpu1, runs1 = hw.proc.cpu_seconds(), hw.runs()
        m = hw.metrics()
        durations = [v for k, v in m.items() if k.startswith("probe_duration_seconds{")]
        return (cpu1 - cpu0) / (runs1 - runs0) * 1000, runs1 - runs0, statistics.median(durations)
    finally:
        hw.stop()


def bench_blackbox(tmp, target, n=1000):
    exe = shutil.which("prometheus-blackbox-exporter")
    if exe is None:
        return None
    cfg = os.path.join(tmp, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n"
                "      preferred_ip_protocol: ip4\n")
    proc = Process.on_free_port(lambda port: [exe, "--config.file=" + cfg, "--web.listen-address=127.0.0.1:%d" % port],
                                name="blackbox_exporter")
    try:
        url = "http://127.0.0.1:%d/probe?module=http_2xx&target=%s" % (proc.port, target)
        for _ in range(20):
            get(url)
        cpu0 = proc.cpu_seconds()
        durations = []
        deadline = time.time() + 120
        for _ in range(n):
            durations.append(parse_samples(get(url))["probe_duration_seconds"])
            if time.time() > deadline:
                break
        cpu1 = proc.cpu_seconds()
        return (cpu1 - cpu0) / len(durations) * 1000, len(durations), statistics.median(durations)
    finally:
        proc.stop()


def bench_thousand_checks(binary, tmp, target, seconds):
    hw = Hostwatch(binary, tmp, [target] * 1000, "10s", "5s")
    try:
        time.sleep(11)  # every check has started once
        cpu0 = hw.proc.cpu_seconds()
        time.sleep(seconds)
        cpu1 = hw.proc.cpu_seconds()
        m = hw.metrics()
        total = m["hostwatch_check_schedule_delay_seconds_count"]
        p99 = None
        for le in ["0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf"]:
            if m['hostwatch_check_schedule_delay_seconds_bucket{le="%s"}' % le] >= 0.99 * total:
                p99 = le
                break
        skipped = sum(v for k, v in m.items() if k.startswith("hostwatch_check_skipped_total"))
        rss = None
        with open("/proc/%d/status" % hw.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
        return (cpu1 - cpu0) / seconds * 100, p99, skipped, rss
    finally:
        hw.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "build", "agent", "hostwatch"))
    ap.add_argument("--seconds", type=int, default=30)
    args = ap.parse_args()
    httpd = TargetServer({"*": Reply(200, b"ok\n")})
    target = httpd.url()
    tmp = tempfile.mkdtemp(prefix="hostwatch-bench-")
    try:
        direct = direct_request_seconds(httpd.port)
        hw_cpu, hw_runs, hw_median = bench_hostwatch_cpu(args.binary, tmp, target, args.seconds)
        bb = bench_blackbox(tmp, target)
        print("direct request (Python, fresh connection): median %.3f ms" % (direct * 1e3))
        print("hostwatch : %.2f s CPU per 1,000 probes (%d probes), median probe_duration %.3f ms" %
              (hw_cpu, hw_runs, hw_median * 1e3))
        if bb:
            print("blackbox  : %.2f s CPU per 1,000 probes (%d probes), median probe_duration %.3f ms" %
                  (bb[0], bb[1], bb[2] * 1e3))
        else:
            print("blackbox  : prometheus-blackbox-exporter not installed")
        cpu_pct, p99, skipped, rss = bench_thousand_checks(args.binary, tmp, target, args.seconds)
        print("1,000 checks every 10 s: %.1f%% of one core, p99 schedule delay <= %s s, %d skipped, RSS %.1f MiB" %
              (cpu_pct, p99, skipped, rss))
    finally:
        httpd.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
