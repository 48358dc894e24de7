"""Bounded load on the real agent with wrk (Debian package wrk): 32 connections hammer /metrics with
Accept-Encoding: gzip for LOAD_SECONDS (10) against an agent with the default collectors and the
default --web.max-requests. Asserts no socket errors, every request answered, every response 200 or 503 (counted
by status in bench/wrk_status.lua and cross-checked with the agent's own
hostwatch_http_requests_total), some scrapes served, /-/healthy and a scrape answered within 1 s
right after, RSS after the run bounded, open fds back to their baseline, and the refusals logged
at most once per 10 s.
bench/load.sh is the on-demand 30 s version that prints the figures."""
import os
import re
import shutil
import subprocess
import time
import unittest

from hostwatch_testutil import SOURCE_DIR, Agent, FdBaseline, parse_samples, require_binary, rss_kib, sanitizer, thread_count

LOAD_SECONDS = 10
CONNECTIONS = 32
# wrk counts an answer slower than its --timeout (default 2 s) as a socket error. This test asserts
# that every request is answered (200 or 503), not how fast: under ASan on a busy machine the slowest
# answers come near 2 s (p99.9 1.5 s and one over 2 s seen), so wrk waits as long as the test runs.
WRK_TIMEOUT_SECONDS = 30
WRK_SCRIPT = os.path.join(SOURCE_DIR, "bench", "wrk_status.lua")
# RSS may grow by the stacks and glibc malloc arenas of the worker threads the load wakes up (one
# arena per thread up to 8 per core) plus the buffers of the largest responses; measured +4 to
# +6 MiB on 2 cores. Three times that: a leak at this request rate (~100k requests) exceeds it.
MAX_RSS_GROWTH_KIB = 16 * 1024


def parse_wrk(out):
    """Figures from wrk's report and our script's status lines."""
    statuses = {int(c): int(n) for c, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    requests = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    percentiles = dict(re.findall(r"^latency_p([\d.]+)_us (\d+)$", out, re.M))
    return {"statuses": statuses,
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"),
                                      map(int, errors.groups()))) if errors else {},
            "requests": int(requests.group(1)) if requests else 0,
            "rate": float(rate.group(1)) if rate else 0.0,
            "percentiles_us": {p: int(v) for p, v in percentiles.items()}}


def timed_request(agent, path):
    t0 = time.monotonic()
    status, _, _ = agent.request(path, timeout=5)
    return status, time.monotonic() - t0


def scrape_after_load(agent):
    """(status, seconds from the end of the load to a served scrape). Scrapes wrk started just before
    its time was up still run in the agent and hold --web.max-requests slots, so a 503 right after the
    load is expected while they drain (seen under ASan, where a scrape takes a few hundred ms)."""
    t0 = time.monotonic()
    status, _, _ = agent.request("/metrics", timeout=5)
    while status == 503 and time.monotonic() - t0 < 5:
        time.sleep(0.05)
        status, _, _ = agent.request("/metrics", timeout=5)
    return status, time.monotonic() - t0


class LoadTest(unittest.TestCase):
    def setUp(self):
        require_binary()
        if shutil.which("wrk") is None:
            if os.environ.get("CI"):
                self.fail("wrk is not installed (packaging/install-deps.sh installs it)")
            self.skipTest("wrk not installed")

    def test_32_connections_on_metrics_get_200_or_503_and_the_agent_recovers(self):
        with Agent() as agent:
            agent.metrics()  # first scrape: collectors and buffers warmed up
            pid = agent.proc.pid
            fds, rss_before, threads_before = FdBaseline(pid), rss_kib(pid), thread_count(pid)
            res = subprocess.run(["wrk", "-t2", "-c%d" % CONNECTIONS, "-d%ds" % LOAD_SECONDS,
                                  "--timeout", "%ds" % WRK_TIMEOUT_SECONDS, "--latency",
                                  "-s", WRK_SCRIPT, agent.base_url + "/metrics"],
                                 capture_output=True, text=True, timeout=LOAD_SECONDS + 30)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            wrk = parse_wrk(res.stdout)
            print(res.stdout)

            healthy, healthy_s = timed_request(agent, "/-/healthy")
            scrape, scrape_s = scrape_after_load(agent)
            rss_after = rss_kib(pid)
            workers_started = thread_count(pid) - threads_before
            fds_after, fds_limit = fds.settled()
            counted = parse_samples(agent.metrics())
            print("after: /-/healthy %d in %.3f s, /metrics %d in %.3f s; RSS KiB %d -> %d; fds %d -> %d "
                  "(%d workers started)" % (healthy, healthy_s, scrape, scrape_s, rss_before, rss_after, fds.fds,
                                           fds_after, workers_started))

        self.assertEqual(wrk["socket_errors"], {}, "wrk reported socket errors or timeouts")
        self.assertEqual(sum(wrk["statuses"].values()), wrk["requests"], wrk)
        self.assertEqual(set(wrk["statuses"]) - {200, 503}, set(), wrk["statuses"])
        self.assertGreater(wrk["statuses"].get(200, 0), 0, "no scrape was served under load")
        # The agent's own count agrees: on /metrics only 200 and 503, at least as many as wrk saw
        # (wrk drops the responses still in flight when its time is up).
        served = {k: v for k, v in counted.items() if k.startswith("hostwatch_http_requests_total{") and
                  'path="/metrics"' in k}
        self.assertEqual({re.search(r'code="(\d+)"', k).group(1) for k in served} - {"200", "503"}, set(), served)
        for code in (200, 503):
            key = 'hostwatch_http_requests_total{code="%d",path="/metrics"}' % code
            self.assertGreaterEqual(counted.get(key, 0), wrk["statuses"].get(code, 0), key)

        # Refusals are counted, and logged at most once per 10 s (a storm must not flood the journal).
        refusal_logs = [l for l in agent.log_lines if "too many concurrent scrapes" in l]
        print("refusal warnings logged: %d" % len(refusal_logs))
        self.assertGreaterEqual(len(refusal_logs), 1)
        self.assertLessEqual(len(refusal_logs), LOAD_SECONDS // 10 + 1)
        # Recovered: both answered right after the load, within the requests' own 5 s timeouts (how
        # fast is printed above and measured in bench/, not judged on a shared machine).
        self.assertEqual((healthy, scrape), (200, 200))
        self.assertLessEqual(fds_after, fds_limit)
        if sanitizer():
            print("RSS bound not checked under %s: its shadow memory and quarantine dominate RSS" % sanitizer())
        else:
            self.assertLess(rss_after - rss_before, MAX_RSS_GROWTH_KIB)


if __name__ == "__main__":
    unittest.main()
