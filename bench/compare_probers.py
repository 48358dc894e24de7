"""compare.py's "probers" phase: CPU per 1,000 runs of the non-HTTP probers, hostwatch against
blackbox_exporter 0.23 (issue 19: budget 0.25x).

One table entry per (prober, module, target factory): the module is written once, as a blackbox.yml
module, and given to both agents (hostwatch reads blackbox's module keys under `modules:`). Adding a
prober is one entry in PROBER_ENTRIES (dns and icmp: see the comment there).

How each side runs a probe, so the figure is the prober's cost and not the HTTP server's:
  - hostwatch: scheduled checks, i.e. the way it runs every probe: the module against TARGET_PORTS
    distinct targets at a short interval; runs counted from probe_all_success_count, CPU from
    /proc/<pid>/stat between the two scrapes that bracket the window (so one scrape is included);
  - blackbox: /probe?module=M&target=T on one keep-alive connection, back to back; blackbox has no
    scheduler, so a /probe (HTTP request, registry, exposition) is its unit of work. Its HTTP floor,
    a /probe that fails before probing (unknown module), is printed as an info row.
The two windows alternate in halves (blackbox, hostwatch, blackbox, hostwatch) so load drift hits both.
Bounded: at most `runs` per side per entry and `seconds` per window; every process is stopped by PID.
"""
import json
import os
import selectors
import signal
import socket
import sys
import time

TARGET_PORTS = 20  # distinct targets, so hostwatch has that many checks of one module
INTERVAL = "250ms"  # per check: 20 checks at 250 ms = 80 runs/s
RUNS_PER_SECOND = TARGET_PORTS / 0.25
BUDGET = 0.25
BANNER = b"SSH-2.0-OpenSSH_9.2p1 bench\r\n"


def banner_targets(compare):
    """A Python process listening on TARGET_PORTS loopback ports; each connection gets an SSH-style
    banner, then is closed once the peer sends a line or closes."""
    proc = compare.Process([sys.executable, os.path.abspath(__file__), "--serve-banner=%d" % TARGET_PORTS],
                           name="banner_targets", ready_line=lambda line: line.startswith("ports="), timeout=20)
    ports = [line for line in proc.log_lines if line.startswith("ports=")][0][len("ports="):].split(",")
    return proc, ["127.0.0.1:%s" % p for p in ports]


def loopback_addresses():
    """TARGET_PORTS distinct loopback addresses (127.0.0.0/8 is all loopback): a module check is one per
    (module, target), so the targets must differ."""
    return ["127.0.0.%d" % (i + 2) for i in range(TARGET_PORTS)]


def loopback_hosts(compare):
    """icmp targets: the loopback addresses themselves; nothing to start."""
    return None, loopback_addresses()


def dnsmasq_targets(compare):
    """One dnsmasq (Debian's dnsmasq-base) answering bench.test on every loopback address, one port."""
    from process import free_port  # tests/testutil, on the path compare.py set up
    port = free_port()
    argv = ["/usr/sbin/dnsmasq", "--keep-in-foreground", "--log-facility=-", "--bind-interfaces", "--no-resolv",
            "--no-hosts", "--conf-file=/dev/null", "--port=%d" % port, "--address=/bench.test/192.0.2.1"]
    argv += ["--listen-address=" + a for a in loopback_addresses()]
    proc = compare.Process(argv, name="dnsmasq", ready_line=lambda line: "started" in line, timeout=20)
    return proc, ["%s:%d" % (a, port) for a in loopback_addresses()]


# (label, module as in blackbox.yml, target factory). A target factory takes the compare module and
# returns (process to stop by PID or None, list of TARGET_PORTS distinct targets).
PROBER_ENTRIES = [
    ("tcp tcp_connect", {"prober": "tcp", "timeout": "200ms", "tcp": {"preferred_ip_protocol": "ip4"}},
     banner_targets),
    ("tcp banner query_response",
     {"prober": "tcp", "timeout": "200ms",
      "tcp": {"preferred_ip_protocol": "ip4",
              "query_response": [{"expect": "^SSH-2.0-"}, {"send": "SSH-2.0-blackbox-ssh-check"}]}},
     banner_targets),
    ("dns A query (UDP)",
     {"prober": "dns", "timeout": "200ms",
      "dns": {"query_name": "bench.test", "query_type": "A", "preferred_ip_protocol": "ip4"}},
     dnsmasq_targets),
    ("icmp echo", {"prober": "icmp", "timeout": "200ms", "icmp": {"preferred_ip_protocol": "ip4"}}, loopback_hosts),
]


def serve_banner(count):
    """--serve-banner=N: N listening sockets on 127.0.0.1, one selector loop, until SIGTERM."""
    sel = selectors.DefaultSelector()
    ports = []
    for _ in range(count):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(256)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, "listen")
        ports.append(str(s.getsockname()[1]))
    print("ports=" + ",".join(ports), file=sys.stderr, flush=True)
    while True:
        for key, _ in sel.select():
            sock = key.fileobj
            if key.data == "listen":
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    continue
                try:
                    conn.sendall(BANNER)  # fits the socket buffer: never blocks
                except OSError:
                    conn.close()
                    continue
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ, "conn")
                continue
            try:
                data = sock.recv(4096)
            except (BlockingIOError, ConnectionError):
                data = b""
            if not data or b"\n" in data:
                sel.unregister(sock)
                sock.close()


def hostwatch_config(path, module, targets):
    with open(path, "w") as f:
        json.dump({"modules": {"bench": module},
                   "checks": [{"module": "bench", "targets": targets, "interval": INTERVAL}]}, f)


def runs_and_failures(compare, client):
    _, text, _ = client.get("/metrics", compare.SCRAPE_HEADERS)
    runs = sum(compare.sample_values(text, "probe_all_success_count"))
    ok = sum(compare.sample_values(text, "probe_all_success_sum"))
    return runs, runs - ok


class HostwatchSide:
    """Scheduled runs; see the module's text."""

    def __init__(self, compare, process):
        self.compare, self.process = compare, process
        self.client = compare.HttpClient(process.port)
        self.cpu = 0.0
        self.runs = 0
        self.failed = 0

    def window(self, runs, seconds):
        c = self.compare
        runs0, failed0 = runs_and_failures(c, self.client)
        cpu0, t0 = self.process.cpu_seconds(), time.monotonic()
        # One sleep for the expected time, so the window holds two scrapes, not a scrape per poll.
        time.sleep(min(seconds, runs / RUNS_PER_SECOND))
        counted, failed = runs_and_failures(c, self.client)
        while counted - runs0 < runs and time.monotonic() - t0 < seconds:
            time.sleep(0.25)
            counted, failed = runs_and_failures(c, self.client)
        self.cpu += self.process.cpu_seconds() - cpu0
        self.runs += counted - runs0
        self.failed += failed - failed0


class BlackboxSide:
    """/probe back to back; see the module's text."""

    def __init__(self, compare, process, targets):
        self.compare, self.process, self.targets = compare, process, targets
        self.client = compare.HttpClient(process.port)
        self.cpu = 0.0
        self.runs = 0
        self.failed = 0

    def window(self, runs, seconds):
        cpu0, t0 = self.process.cpu_seconds(), time.monotonic()
        n = 0
        while n < runs and time.monotonic() - t0 < seconds:
            _, text, _ = self.client.get("/probe?module=bench&target=" + self.targets[n % len(self.targets)])
            self.failed += 0 if self.compare.sample_values(text, "probe_success") == [1.0] else 1
            n += 1
        self.cpu += self.process.cpu_seconds() - cpu0
        self.runs += n

    def http_floor_ms(self, n=1000):
        """CPU per /probe that blackbox refuses before probing (unknown module): its HTTP share."""
        cpu0 = self.process.cpu_seconds()
        for _ in range(n):
            self.client.get("/probe?module=no_such_module&target=" + self.targets[0])
        return (self.process.cpu_seconds() - cpu0) * 1000.0 / n


def per_thousand(side):
    return side.cpu * 1000.0 / side.runs if side.runs else None


def measure_entry(args, compare, hostwatch_bin, tmp, entry):
    """(hostwatch side, blackbox side or None, blackbox HTTP floor) for one entry."""
    label, module, factory = entry
    target_proc, targets = factory(compare)
    hw = bb = None
    try:
        cfg = os.path.join(tmp, "probers-hostwatch.yml")
        hostwatch_config(cfg, module, targets)
        hw = compare.start_hostwatch(hostwatch_bin, "--config.file=" + cfg, "--collector.disable-defaults")
        ours = HostwatchSide(compare, hw)
        theirs = None
        if os.path.exists(compare.BLACKBOX):
            bcfg = os.path.join(tmp, "probers-blackbox.yml")
            with open(bcfg, "w") as f:
                json.dump({"modules": {"bench": module}}, f)
            bb = compare.start_daemon("blackbox_exporter", compare.BLACKBOX, "--config.file=" + bcfg)
            theirs = BlackboxSide(compare, bb, targets)
            theirs.window(20, 10)  # warm-up, not counted
            theirs.cpu, theirs.runs, theirs.failed = 0.0, 0, 0
        time.sleep(1.5)  # every check has been scheduled once
        half, seconds = args.prober_runs // 2, args.prober_seconds / 4
        for _ in range(2):
            if theirs:
                theirs.window(half, seconds)
            ours.window(half, seconds)
        floor = theirs.http_floor_ms() if theirs else None
        compare.log("%s: hostwatch %d scheduled runs (%d failed), blackbox %s /probe runs (%s failed)"
                    % (label, ours.runs, ours.failed, theirs.runs if theirs else "-", theirs.failed if theirs else "-"))
        return ours, theirs, floor
    finally:
        for p in (hw, bb, target_proc):
            if p:
                p.stop()


def probers_phase(args, table, hostwatch_bin, tmp, compare):
    """compare: the compare module (start_* helpers, HttpClient, fmt, ratio, Table ...)."""
    table.add("CPU per 1,000 runs: hostwatch = scheduled checks (%d targets at %s), blackbox 0.23 = /probe"
              % (TARGET_PORTS, INTERVAL), "", "", "", "", None)
    for entry in PROBER_ENTRIES:
        metric = "  %s: CPU per 1,000 runs (s)" % entry[0]
        try:
            ours, theirs, floor = measure_entry(args, compare, hostwatch_bin, tmp, entry)
        except Exception as e:  # a prober not in this build, a peer that would not start: say so in the row
            table.add(metric, "error: %s" % str(e).splitlines()[0][:60], "-", "-", "<= %.2fx" % BUDGET, None)
            continue
        a, b = per_thousand(ours), per_thousand(theirs) if theirs else None
        if ours.failed or (theirs and theirs.failed):
            metric += " [failed runs: %d / %s]" % (ours.failed, theirs.failed if theirs else "-")
        compare.budget_row(table, metric, a, b, "", BUDGET, "<= %.2fx" % BUDGET)
        if floor is not None:
            table.add("    (info) blackbox /probe HTTP floor, unknown module (s per 1,000)", "-", compare.fmt(floor),
                      "-", "-", None)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1].startswith("--serve-banner="):
        signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
        serve_banner(int(sys.argv[1].split("=", 1)[1]))
