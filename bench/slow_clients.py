"""Timings under slow clients, run on demand (printed, never asserted; the tests in
tests/integration/test_abuse.py and test_web_transport.py assert what happens, not how fast):
  - a scrape while 200 connections stall half-way through their request line;
  - how long a connection trickling a never-ending request head (a byte a second) is kept;
  - a scrape while 20 connections trickle a declared 100 MB body, with --web.max-connections=16,
    to POST /metrics (refused unread) and to POST /-/reload (read until the request bound).
The server's bound on reading one request is 5 s (HttpServerOptions::request_timeout_ms).
Usage: python3 bench/slow_clients.py [path/to/hostwatch]. Standard library only."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "testutil"))
import hostwatch_testutil  # noqa: E402  tests/testutil: the agent wrapper
from slow_client import Trickler, close_all, open_slowloris  # noqa: E402  tests/testutil: the slow clients

LIGHT_COLLECTORS = ("--collector.disable-defaults", "--collector.loadavg")
HUGE_BODY_HEAD = b"Host: localhost\r\nContent-Length: 100000000\r\n\r\n"


def timed_scrape(agent, timeout=30):
    """(status, seconds); status "timeout" when no answer came within timeout seconds."""
    start = time.monotonic()
    try:
        status = agent.request("/metrics", timeout=timeout)[0]
    except OSError:
        status = "timeout"
    return status, time.monotonic() - start


def idle_connections():
    with hostwatch_testutil.Agent(*LIGHT_COLLECTORS) as agent:
        socks = open_slowloris(agent.port, 200)
        try:
            status, seconds = timed_scrape(agent)
        finally:
            close_all(socks)
    print("200 stalled request lines: scrape %s in %.3f s" % (status, seconds))


def trickled_head():
    with hostwatch_testutil.Agent(*LIGHT_COLLECTORS) as agent:
        with Trickler(agent.port, b"GET /metrics HTTP/1.1\r\nX-Slow: ", 1, drip=b"y") as trickler:
            trickler.wait_all_closed(30)
    print("a head trickled a byte a second: closed after %.1f s" % trickler.closed_after[0])


def trickled_bodies(request_line):
    with hostwatch_testutil.Agent("--web.max-connections=16", *LIGHT_COLLECTORS) as agent:
        with Trickler(agent.port, request_line + HUGE_BODY_HEAD, 20) as trickler:
            status, seconds = timed_scrape(agent)
            trickler.wait_all_closed(30)
    closed = sorted(t for t in trickler.closed_after if t is not None)
    # closed_after has the trickler's 1 s step: it looks once a second.
    print("20 bodies trickled to %s, 16 workers: scrape %s in %.3f s; %d connections closed by the server%s" %
          (request_line.split(b" HTTP")[0].decode(), status, seconds, len(closed),
           ", after %.0f-%.0f s" % (closed[0], closed[-1]) if closed else ""))


def main(argv):
    hostwatch_testutil.BINARY = argv[1] if len(argv) > 1 else "build/agent/hostwatch"
    idle_connections()
    trickled_head()
    trickled_bodies(b"POST /metrics HTTP/1.1\r\n")
    trickled_bodies(b"POST /-/reload HTTP/1.1\r\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
