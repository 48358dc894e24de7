"""One wrapper for every program the tests and bench/ start: the agent, node_exporter,
blackbox_exporter, Prometheus, the agent installed in a throwaway root (standard library only).

    Process(argv, name=..., env=..., port=..., ready_path=..., ready_line=..., log_path=..., timeout=...)

starts argv, keeps what it writes to stderr (stdout too with log_path), waits until it is ready,
and stop() ends it by its PID only: the signal, then SIGKILL after stop_timeout seconds.
Ready means, by what is given:
  ready_line  a function of each stderr line that returns true on the line saying it is ready
              (it is called for every line, before and after, and may keep what it reads);
  port        127.0.0.1:port accepts a connection, or with ready_path: GET ready_path answers 200;
  neither     started is enough.
A program that exits before it is ready, or is not ready within timeout seconds, is killed and
StartError (an AssertionError, so a test fails rather than errs) names it with the end of its log.
Process.on_free_port(argv_for_port, ...) picks a free port first and tries again (three times)
when another program took the port between the pick and the bind.
"""
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


class StartError(AssertionError):
    """The program exited before it was ready, or was not ready in time."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_open(port, timeout=0.2):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
        return True
    except OSError:
        return False


def http_ok(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def cpu_seconds(pid):
    """utime + stime of all threads, from /proc/<pid>/stat (fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def context_switches(pid):
    """Voluntary + involuntary context switches summed over the live threads."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, task)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass  # thread exited meanwhile
    return total


def status_kib(pid, *keys):
    """The values in KiB of the given /proc/<pid>/status keys (e.g. "VmRSS"), 0 for a missing one."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in keys:
                out[key] = int(value.split()[0])
    return tuple(out.get(k, 0) for k in keys)


class Process:
    """A program started by a test or a bench script; see the module's text."""

    def __init__(self, argv, name=None, env=None, port=None, ready_path=None, ready_line=None, log_path=None,
                 wait=True, timeout=15, stop_timeout=10):
        self.argv = list(argv)
        self.name = name or os.path.basename(self.argv[0])
        self.port = port
        self.stop_timeout = stop_timeout
        self.log_lines = []
        self._log_lock = threading.Lock()
        self._ready_line = ready_line
        self._started = threading.Event()
        self._reader = None
        self._log_file = None
        self.log_path = log_path
        if log_path:
            self._log_file = open(log_path, "w")
            self.proc = subprocess.Popen(self.argv, stdout=self._log_file, stderr=subprocess.STDOUT, env=env)
        else:
            self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            self._reader = threading.Thread(target=self._read_stderr, daemon=True)
            self._reader.start()
        if wait:
            self._wait_ready(ready_path, timeout)

    @classmethod
    def on_free_port(cls, argv_for_port, attempts=3, **kw):
        """The program listening on a port picked here: argv_for_port(port) is its command line."""
        for attempt in range(attempts):
            port = free_port()
            try:
                return cls(argv_for_port(port), port=port, **kw)
            except StartError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._log_lock:
                self.log_lines.append(line)
            if self._ready_line is not None and self._ready_line(line):
                self._started.set()

    def _is_ready(self, ready_path):
        if self._ready_line is not None:
            return self._started.is_set()
        if self.port is None:
            return True
        if ready_path is None:
            return tcp_open(self.port)
        return http_ok("http://127.0.0.1:%d%s" % (self.port, ready_path))

    def _wait_ready(self, ready_path, timeout):
        deadline = time.monotonic() + timeout
        while not self._is_ready(ready_path):
            if self.proc.poll() is not None:
                if self._reader is not None:
                    self._reader.join(2)  # the ready line may still be in the pipe
                if self._is_ready(ready_path):
                    return
                self.stop()
                raise StartError("%s exited (%d) before it was ready; log:\n%s"
                                 % (self.name, self.proc.returncode, self.log()[-4000:]))
            if time.monotonic() >= deadline:
                self.stop(signal.SIGKILL)
                raise StartError("%s did not start within %ss; log:\n%s" % (self.name, timeout, self.log()[-4000:]))
            if self._ready_line is not None:
                self._started.wait(0.05)
            else:
                time.sleep(0.05)

    def wait_ready(self, timeout):
        """After wait=False: whether a ready_line came within timeout seconds."""
        return self._started.wait(timeout)

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        """What it wrote to stderr (and stdout with log_path) so far."""
        if self.log_path:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        with self._log_lock:
            return "\n".join(self.log_lines)

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def request(self, path, method="GET", headers=None, data=None, timeout=10):
        """Returns (status, headers dict with lower-case keys, body bytes)."""
        req = urllib.request.Request(self.base_url + path, method=method, headers=headers or {}, data=data)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def cpu_seconds(self):
        return cpu_seconds(self.pid)

    def context_switches(self):
        return context_switches(self.pid)

    def rss_anon_file_kib(self):
        """(RssAnon, RssFile) in KiB."""
        return status_kib(self.pid, "RssAnon", "RssFile")

    def wait_exit(self, timeout):
        """The exit code, or None if it is still running after timeout seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=None):
        """Sends sig (then SIGKILL after timeout seconds) to this PID only; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(self.stop_timeout if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._reader is not None:
            self._reader.join(2)
            if not self._reader.is_alive() and self.proc.stderr is not None:
                self.proc.stderr.close()
        if self._log_file is not None:
            self._log_file.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
