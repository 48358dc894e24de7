#!/usr/bin/env bash
# Soak test, run on demand: starts the built agent on 127.0.0.1, scrapes /metrics every 100 ms
# for SOAK_SECONDS (default 600), samples the agent's RSS and open fds every 10 s, and reports
# start, end, peak and the least-squares RSS trend over the second half (the first is warm-up). Fails (exit 1) on any scrape that is not
# 200, on fd growth, or on an RSS trend above SOAK_MAX_RSS_KIB_PER_MIN (default 64 KiB/min).
# SOAK_SAMPLE_SECONDS (default 10) sets the sampling period.
# Usage: bench/soak.sh [path/to/hostwatch [extra agent flags...]]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-build/agent/hostwatch}"
shift || true
exec python3 - "${binary}" "$@" <<'EOF'
import os, re, subprocess, sys, time, urllib.request

binary, extra = sys.argv[1], sys.argv[2:]
seconds = float(os.environ.get("SOAK_SECONDS", "600"))
max_rss_slope = float(os.environ.get("SOAK_MAX_RSS_KIB_PER_MIN", "64"))
sample_every = float(os.environ.get("SOAK_SAMPLE_SECONDS", "10"))

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])

def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))

def slope_per_min(points):
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    var = sum((t - mx) ** 2 for t, _ in points)
    return 60 * sum((t - mx) * (v - my) for t, v in points) / var if var else 0.0

proc = subprocess.Popen([binary, "--web.listen-address=127.0.0.1:0"] + extra,
                        stderr=subprocess.PIPE, text=True)
port = None
deadline = time.monotonic() + 15
for line in proc.stderr:
    m = re.search(r'hostwatch started.*address="?[^ "]*:(\d+)', line)
    if m:
        port = int(m.group(1))
        break
    if time.monotonic() > deadline:
        break
if port is None:
    proc.kill()
    sys.exit("soak: agent did not start")
# Keep draining the log so the agent never blocks on a full pipe.
import threading
threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()

url = "http://127.0.0.1:%d/metrics" % port
rss, fd, errors, scrapes, latencies = [], [], 0, 0, []
start = time.monotonic()
next_sample = start
try:
    while time.monotonic() - start < seconds:
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
                if r.status != 200:
                    errors += 1
        except Exception as e:  # counted, reported
            errors += 1
            print("soak: scrape error:", e, file=sys.stderr)
        latencies.append(time.monotonic() - t0)
        scrapes += 1
        if t0 >= next_sample:
            rss.append((t0 - start, rss_kib(proc.pid)))
            fd.append((t0 - start, fds(proc.pid)))
            next_sample += sample_every
        time.sleep(max(0.0, 0.1 - (time.monotonic() - t0)))
finally:
    proc.terminate()
    code = proc.wait(15)

latencies.sort()
# The first half is warm-up: each of the up to --web.max-connections workers keeps its stack
# pages and allocator caches after its first scrape, and new connections reach new workers
# for a few minutes (10-minute run, 256 workers: flat from about 210 s). The trend is judged
# on the second half.
warm = rss[len(rss) // 2:] or rss
rss_slope = slope_per_min(warm)
print("soak: %.0f s, %d scrapes, %d errors, p50 %.1f ms, p99 %.1f ms, exit %d" %
      (seconds, scrapes, errors, 1000 * latencies[len(latencies) // 2], 1000 * latencies[int(len(latencies) * .99)], code))
print("soak: RSS KiB start %d end %d peak %d, trend over the second half %+.1f KiB/min" %
      (rss[0][1], rss[-1][1], max(v for _, v in rss), rss_slope))
print("soak: RSS KiB samples:", " ".join("%d@%ds" % (v, t) for t, v in rss))
print("soak: open fds start %d end %d peak %d" % (fd[0][1], fd[-1][1], max(v for _, v in fd)))
failed = errors > 0 or fd[-1][1] > fd[0][1] + 2 or rss_slope > max_rss_slope or code != 0
sys.exit(1 if failed else 0)
EOF
