"""Soak run of the agent: /metrics scraped every 100 ms while N HTTP checks (default 200) probe a
loopback server every second; RSS and open fds sampled every few seconds. Used two ways:
  - bench/soak.sh (on demand, 10 minutes by default) runs main() and prints the figures;
  - tests/integration/test_soak.py (CI, 60 s) imports it and asserts on the same figures.
Standard library only.

Why the RSS trend is judged on the second half only: the first half is warm-up. Each of the up to
--web.max-connections HTTP workers keeps its stack pages and allocator caches after its first
request, and new connections reach new workers for minutes (10-minute run, 256 workers: flat from
about 210 s); the checks' histories fill up to their bound. After that a flat line is expected, and
a leak shows as a slope."""
import json
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "testutil"))
from hostwatch_testutil import open_fds, rss_kib  # noqa: E402,F401  tests/testutil (also used by test_soak.py)
from process import Process, StartError  # noqa: E402  tests/testutil: the one process wrapper
from target_server import Reply, TargetServer  # noqa: E402  tests/testutil: the one target server


def slope_per_min(points):
    """Least-squares slope of [(seconds, value)] in value per minute."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    var = sum((t - mx) ** 2 for t, _ in points)
    return 60 * sum((t - mx) * (v - my) for t, v in points) / var if var else 0.0


def check_target():
    """The loopback server the soak's checks probe: 200 "ok" to every GET, on 127.0.0.1:0. A backlog
    of 512: 200 checks a second arrive in bursts; the default backlog of 5 drops SYNs. A write to a
    client that gave up (a timeout) is counted by the agent as a failure, not here."""
    return TargetServer({"*": Reply(200, b"ok\n")}, backlog=512)


def checks_config(count, url, interval="1s", timeout="900ms"):
    """A hostwatch.yml (JSON is YAML) with `count` checks of url."""
    return json.dumps({"http_checks": {
        "defaults": {"interval": interval, "timeout": timeout, "jitter": "0s"},
        "max_concurrency": 64,
        "checks": [{"name": "soak_%03d" % i, "url": url} for i in range(count)]}})


def failures_by_reason(text):
    """{reason: failed runs} summed over all checks from one exposition (reasons with none left out)."""
    by_reason = {}
    for line in text.splitlines():
        if line.startswith("hostwatch_check_failures_total{"):
            reason = line.split('reason="', 1)[1].split('"', 1)[0]
            by_reason[reason] = by_reason.get(reason, 0) + float(line.rsplit(" ", 1)[1])
    return {k: v for k, v in by_reason.items() if v}


def check_counters(text):
    """(runs, failures, skipped) summed over all checks from one exposition."""
    runs = skipped = 0.0
    for line in text.splitlines():
        if line.startswith("probe_all_success_count{"):
            runs += float(line.rsplit(" ", 1)[1])
        elif line.startswith("hostwatch_check_skipped_total{"):
            skipped += float(line.rsplit(" ", 1)[1])
    return runs, sum(failures_by_reason(text).values()), skipped


def scrape(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def soak(port, pid, seconds, sample_every=3.0, scrape_every=0.1, log=None):
    """Scrapes http://127.0.0.1:port/metrics every scrape_every s for `seconds` and samples the
    process's RSS and fds every sample_every s. Returns a dict of figures (see the keys below)."""
    url = "http://127.0.0.1:%d/metrics" % port
    rss, fds, latencies, errors = [], [], [], []
    first = last = None
    start = time.monotonic()
    next_sample = start
    while time.monotonic() - start < seconds:
        t0 = time.monotonic()
        try:
            status, text = scrape(url)
            if status != 200:
                errors.append("status %d" % status)
            else:
                last = text
                first = first or text
        except Exception as e:  # counted and reported, never fatal to the run
            errors.append(repr(e))
            if log:
                log("soak: scrape error: %r" % e)
        latencies.append(time.monotonic() - t0)
        if t0 >= next_sample:
            rss.append((t0 - start, rss_kib(pid)))
            fds.append((t0 - start, open_fds(pid)))
            next_sample += sample_every
        time.sleep(max(0.0, scrape_every - (time.monotonic() - t0)))
    latencies.sort()
    runs0, fail0, skip0 = check_counters(first or "")
    runs1, fail1, skip1 = check_counters(last or "")
    second_half = [p for p in rss if p[0] >= seconds / 2] or rss
    return {
        "seconds": seconds,
        "scrapes": len(latencies),
        "scrape_errors": errors,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else 0,
        "max_ms": 1000 * latencies[-1] if latencies else 0,
        "rss": rss,
        "fds": fds,
        "rss_slope_kib_per_min": slope_per_min(second_half),
        "rss_second_half_growth_kib": slope_per_min(second_half) * (second_half[-1][0] - second_half[0][0]) / 60
        if len(second_half) > 1 else 0.0,
        "check_runs": runs1 - runs0,
        "check_failures": fail1 - fail0,
        "check_failures_total": fail1,
        "check_failures_by_reason": failures_by_reason(last or ""),
        "check_skipped": skip1 - skip0,
    }


def report(r):
    """The figures as printed lines."""
    rss, fds = r["rss"], r["fds"]
    return [
        "soak: %.0f s, %d scrapes, %d scrape errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms" %
        (r["seconds"], r["scrapes"], len(r["scrape_errors"]), r["p50_ms"], r["p99_ms"], r["max_ms"]),
        "soak: checks: %d runs, %d failures, %d skipped" % (r["check_runs"], r["check_failures"], r["check_skipped"]),
        "soak: RSS KiB start %d end %d peak %d; second half trend %+.1f KiB/min (%+.0f KiB over it)" %
        (rss[0][1], rss[-1][1], max(v for _, v in rss), r["rss_slope_kib_per_min"], r["rss_second_half_growth_kib"]),
        "soak: RSS KiB samples: " + " ".join("%d@%ds" % (v, t) for t, v in rss),
        "soak: open fds start %d end %d peak %d" % (fds[0][1], fds[-1][1], max(v for _, v in fds)),
    ]


def main(argv):
    binary, extra = (argv[1] if len(argv) > 1 else "build/agent/hostwatch"), argv[2:]
    seconds = float(os.environ.get("SOAK_SECONDS", "600"))
    checks = int(os.environ.get("SOAK_CHECKS", "200"))
    max_rss_slope = float(os.environ.get("SOAK_MAX_RSS_KIB_PER_MIN", "64"))
    sample_every = float(os.environ.get("SOAK_SAMPLE_SECONDS", "10"))
    target = check_target()
    config = "/tmp/hostwatch-soak-%d.yml" % os.getpid()
    with open(config, "w") as f:
        f.write(checks_config(checks, target.url()))
    ports = []  # from the startup line

    def started(line):
        m = re.search(r'hostwatch started.*address="?[^ "]*:(\d+)', line)
        if m:
            ports.append(int(m.group(1)))
        return m is not None

    try:
        try:
            agent = Process([binary, "--web.listen-address=127.0.0.1:0", "--config.file=" + config] + extra,
                            name="hostwatch", ready_line=started)
        except StartError as e:
            sys.exit("soak: agent did not start: %s" % e)
        try:
            r = soak(ports[0], agent.pid, seconds, sample_every, log=lambda s: print(s, file=sys.stderr))
        finally:
            code = agent.stop(timeout=15)
    finally:
        target.stop()
        os.unlink(config)
    print("\n".join(report(r)))
    print("soak: agent exit code %d" % code)
    fds = r["fds"]
    failed = (r["scrape_errors"] or r["check_failures"] or fds[-1][1] > fds[0][1] + 2 or
              r["rss_slope_kib_per_min"] > max_rss_slope or code != 0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
