"""Helpers for tests that drive the real hostwatch binary (standard library only).

Every agent listens on 127.0.0.1 port 0 unless told otherwise; the bound port is
read back from the agent's startup log line, so tests never collide on ports.
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from process import Process, StartError, free_port, status_kib  # noqa: F401  (Process, StartError, free_port re-exported)
from target_server import Reply, TargetServer  # noqa: F401  (re-exported)

BINARY = os.environ.get("HOSTWATCH_BINARY", "")
SOURCE_DIR = os.environ.get("HOSTWATCH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
NODE_EXPORTER_FIXTURES = os.environ.get("HOSTWATCH_NODE_EXPORTER_FIXTURES", "")
SKIP_EXIT_CODE = 77  # ctest SKIP_RETURN_CODE


# GCC's UBSan ignores log_path and always writes to stderr, which the tests capture, so
# tests/sanitizers.sh would never see those reports: lines that look like a sanitizer report are
# copied into its report directory (HOSTWATCH_SANITIZER_REPORTS) as well.
SANITIZER_MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer")


def record_sanitizer_output(pid, text):
    reports = os.environ.get("HOSTWATCH_SANITIZER_REPORTS")
    if not reports or not any(marker in text for marker in SANITIZER_MARKERS):
        return
    with open(os.path.join(reports, "report.agent-stderr.%d" % pid), "a", encoding="utf-8") as f:
        f.write(text if text.endswith("\n") else text + "\n")


def require_binary():
    """Skips a test run by hand without ctest; under ctest (which names the binary) a missing binary is a
    failure: a build that failed to link must not turn the integration suite into skips."""
    if not BINARY:
        raise unittest.SkipTest("HOSTWATCH_BINARY is not set; run through ctest")
    if not os.access(BINARY, os.X_OK):
        raise AssertionError("HOSTWATCH_BINARY=%s is not an executable (did the build fail?)" % BINARY)


class Agent(Process):
    """A running hostwatch process (process.Process): use as a context manager or call stop()."""

    def __init__(self, *args, listen="127.0.0.1:0", env=None, wait_ready=True, timeout=15, prefix=()):
        # prefix: a command the binary runs under, e.g. ("setpriv", "--reuid=nobody", ...); it must exec.
        require_binary()
        argv = list(prefix) + [BINARY]
        if listen is not None:
            argv.append("--web.listen-address=" + listen)
        argv += list(args)
        self.args = argv
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        super().__init__(argv, name="agent", env=full_env, ready_line=self._started_line, wait=wait_ready,
                         timeout=timeout)

    def _started_line(self, line):
        """Records sanitizer reports; true on the startup line, whose address gives the port."""
        record_sanitizer_output(self.proc.pid, line)
        if "msg=\"hostwatch started\"" in line or '"msg":"hostwatch started"' in line:
            m = re.search(r'address=("?)[^ "]*:(\d+)', line) or re.search(r'"address":"[^"]*:(\d+)"', line)
            if m:
                self.port = int(m.groups()[-1])
            return True
        return False

    def metrics(self, path="/metrics"):
        status, headers, body = self.request(path)
        if status != 200:
            raise AssertionError("GET %s -> %d: %r" % (path, status, body[:200]))
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8")


def hung_loadavg_agent(procfs_dir, max_requests, deadline_s=1.5):
    """An agent whose only collector, loadavg, hangs on open(): procfs_dir/loadavg is made a FIFO
    without a writer, which blocks open() like a dead NFS mount (collector deadline deadline_s)."""
    os.mkfifo(os.path.join(procfs_dir, "loadavg"))
    return Agent("--path.procfs=" + procfs_dir, "--collector.disable-defaults", "--collector.loadavg",
                 "--scrape.collector-timeout=%dms" % (deadline_s * 1000), "--web.max-requests=%d" % max_requests)


def run_agent(*args, timeout=15, env=None):
    """Runs hostwatch to completion; returns CompletedProcess with text output."""
    require_binary()
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    res = subprocess.run([BINARY] + list(args), capture_output=True, text=True, timeout=timeout, env=full_env)
    record_sanitizer_output(0, res.stderr)
    return res


def parse_samples(text):
    """Parses exposition text into {series: value} where series is the line's name{labels} part."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        samples[series] = float(value)
    return samples


def sample(text, series):
    """The value of one exact series (e.g. 'node_load1' or 'up{job="x"}'), or None."""
    return parse_samples(text).get(series)


def promtool():
    return shutil.which("promtool")


def check_metrics_with_promtool(testcase, text):
    """promtool check metrics: exit 1 means unparseable (a failure); exit 3 means lint
    findings only, which node_exporter-compatible names legitimately trigger."""
    tool = promtool()
    if tool is None:
        if os.environ.get("CI"):
            testcase.fail("promtool is not installed (packaging/install-deps.sh installs it)")
        testcase.skipTest("promtool not installed")
    res = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    testcase.assertNotEqual(res.returncode, 1, "promtool rejected the exposition:\n" + res.stdout + res.stderr)
    return res


def sanitizer():
    """The sanitizer the agent runs under ("asan", "tsan"; set by tests/sanitizers.sh), or ""."""
    return os.environ.get("HOSTWATCH_SANITIZER", "")


def rss_kib(pid):
    (rss,) = status_kib(pid, "VmRSS")
    if rss == 0:  # every user process has the line; 0 is status_kib's "missing"
        raise AssertionError("no VmRSS for pid %d" % pid)
    return rss


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def min_open_fds(pid, samples=10, gap=0.1):
    """The fewest open fds over samples*gap seconds: a scrape being answered or a check run in
    progress holds a socket for a moment, so one reading is noisy; the minimum is the steady state."""
    low = None
    for _ in range(samples):
        n = open_fds(pid)
        low = n if low is None else min(low, n)
        time.sleep(gap)
    return low


def wait_for(predicate, timeout=10, interval=0.1):
    """predicate()'s first truthy value within timeout seconds, else its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def library_mapped(pid, soname_prefix):
    """Whether the process has a shared library whose file name starts with soname_prefix
    (e.g. "libcurl.so") mapped: the libraries hostwatch loads with dlopen() only when needed."""
    with open("/proc/%d/maps" % pid) as f:
        return any(("/" + soname_prefix) in line for line in f)


def thread_count(pid):
    return len(os.listdir("/proc/%d/task" % pid))


def settled_open_fds(pid, limit, timeout=5):
    """min_open_fds until it is at most limit or timeout seconds have passed; returns the last value."""
    deadline = time.monotonic() + timeout
    n = min_open_fds(pid)
    while n > limit and time.monotonic() < deadline:
        n = min_open_fds(pid)
    return n


class FdBaseline:
    """The open fds of an agent at rest, and the bound they must come back to after some work.

    The agent's own pools grow on demand and stay: every HTTP worker CivetWeb starts is a thread
    holding one eventfd, and a busy machine (or a sanitizer) spreads requests over more workers than
    an idle one. So the bound is the baseline plus one descriptor per thread started since, never
    an exact count; anything beyond that is a leak."""

    def __init__(self, pid):
        self.pid = pid
        self.fds = min_open_fds(pid)
        self.threads = thread_count(pid)

    def limit(self):
        return self.fds + max(0, thread_count(self.pid) - self.threads)

    def settled(self):
        """(open fds once settled, the bound they must not exceed)."""
        limit = self.limit()
        return settled_open_fds(self.pid, limit), limit


class TempDir:
    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="hostwatch-test-")

    def write(self, rel, content, mode=None):
        p = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(content)
        if mode is not None:
            os.chmod(p, mode)
        return p

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def run_in_own_netns(name, ip_steps, script, child_flag, timeout=120):
    """Makes network namespace `name`, applies `ip -n name <step>` for each step, runs
    `python3 script child_flag` inside it and returns the last stdout line parsed as JSON; the
    namespace is deleted in every case. Skips the test (SkipTest) without root, ip(8) or netns."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        raise unittest.SkipTest("needs root and ip(8)")
    ip = lambda *args: subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=30)  # noqa: E731
    made = ip("netns", "add", name)
    if made.returncode != 0:
        raise unittest.SkipTest("ip netns add: " + made.stderr.strip())
    try:
        for step in ip_steps:
            res = ip("-n", name, *step)
            if res.returncode != 0:
                raise AssertionError("ip %s: %s" % (" ".join(step), res.stderr))
        res = subprocess.run(["ip", "netns", "exec", name, sys.executable, script, child_flag],
                             capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0:
            raise AssertionError("child failed:\n" + res.stdout + res.stderr)
        return json.loads(res.stdout.strip().splitlines()[-1])
    finally:
        ip("netns", "del", name)


def family_table(text, keep):
    """{family: {"help", "type", "series": {series: value}}} of the families of an exposition text
    whose name passes keep(name): for comparing two agents family by family."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^# (HELP|TYPE) (\S+) (.*)$", line)
        name = m.group(2) if m else re.split(r"[{ ]", line, maxsplit=1)[0]
        if not keep(name):
            continue
        family = out.setdefault(name, {"help": None, "type": None, "series": {}})
        if m:
            family[m.group(1).lower()] = m.group(3)
        else:
            series, _, value = line.rpartition(" ")
            family["series"][series] = float(value)
    return out
