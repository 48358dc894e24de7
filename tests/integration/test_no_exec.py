"""Least privilege: the agent never runs another program.

The whole agent runs under strace (-f: every thread and any child) while it does everything it
can do: a scrape of every default collector, an HTTP check running on schedule, /probe with
debug, the status page, a reload over HTTP and one by SIGHUP. The trace must hold exactly one
execve (strace starting the agent) and no fork/vfork: no shell, no helper binary, no child.
"""
import os
import shutil
import signal
import subprocess
import time
import unittest

from hostwatch_testutil import Agent, Reply, TargetServer, TempDir, sample

TRACED_CALLS = "execve,execveat,fork,vfork"


def strace_works():
    if shutil.which("strace") is None:
        return False
    res = subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", "/dev/null", "true"],
                         capture_output=True, timeout=30)
    return res.returncode == 0


def traced_agent_pid(strace_pid):
    """The agent is strace's only child."""
    with open("/proc/%d/task/%d/children" % (strace_pid, strace_pid)) as f:
        children = f.read().split()
    return int(children[0])


@unittest.skipUnless(strace_works(), "strace is missing or cannot trace here (packaging/install-deps.sh installs it; "
                                     "containers may forbid ptrace)")
class NoExecTest(unittest.TestCase):
    def test_agent_never_executes_a_program(self):
        tmp = TempDir()
        server = TargetServer({"*": Reply(200, b"ok\n", [("Content-Type", "text/plain")])})
        try:
            textfile_dir = os.path.join(tmp.path, "textfile")
            os.makedirs(textfile_dir)
            tmp.write("textfile/extra.prom", "# TYPE site_info gauge\nsite_info{dc=\"a\"} 1\n")
            config = tmp.write("hostwatch.yml", "http_checks:\n  defaults: {interval: 1s, timeout: 900ms}\n"
                                                "  checks:\n    - name: local\n"
                                                "      url: http://127.0.0.1:%d/\n" % server.port)
            trace = os.path.join(tmp.path, "trace")
            prefix = ("strace", "-f", "-qq", "-e", "trace=" + TRACED_CALLS, "-o", trace)
            # LeakSanitizer stops the world with ptrace, which fails on an already traced process.
            env = {"ASAN_OPTIONS": os.environ["ASAN_OPTIONS"] + ":detect_leaks=0"} if "ASAN_OPTIONS" in os.environ else None
            agent = Agent("--config.file=" + config, "--web.enable-lifecycle",
                          "--collector.textfile.directory=" + textfile_dir, prefix=prefix, env=env, timeout=30)
            try:
                text = agent.metrics()
                self.assertEqual(sample(text, 'node_scrape_collector_success{collector="cpu"}'), 1)
                self.assertEqual(sample(text, 'site_info{dc="a"}'), 1)
                deadline = time.monotonic() + 10
                while 'probe_success{check="local"' not in text and time.monotonic() < deadline:
                    time.sleep(0.3)
                    text = agent.metrics()
                self.assertIn('probe_success{check="local",target=', text)
                for path in ["/probe?module=local&debug=true", "/", "/-/healthy"]:
                    status, _, _ = agent.request(path)
                    self.assertEqual(status, 200, path)
                status, _, body = agent.request("/-/reload", method="POST")
                self.assertEqual(status, 200, body)
                agent_pid = traced_agent_pid(agent.proc.pid)
                os.kill(agent_pid, signal.SIGHUP)
                deadline = time.monotonic() + 10
                while "reload requested" not in agent.log() and time.monotonic() < deadline:
                    time.sleep(0.1)
                self.assertIn("reload requested", agent.log())
                agent.metrics()
                # SIGTERM to the agent itself: strace then exits with the agent's status.
                os.kill(agent_pid, signal.SIGTERM)
                self.assertEqual(agent.wait_exit(20), 0, agent.log())
            finally:
                agent.stop(signal.SIGKILL)
            with open(trace) as f:
                calls = [line for line in f.read().splitlines() if "(" in line and "+++" not in line]
            execs = [c for c in calls if "execve(" in c or "execveat(" in c]
            forks = [c for c in calls if "fork(" in c]
            print("\ntraced %s: %d execve (the agent's own start), %d fork/vfork" % (TRACED_CALLS, len(execs), len(forks)))
            self.assertEqual(len(execs), 1, "\n".join(execs))
            self.assertIn("hostwatch", execs[0])
            self.assertEqual(forks, [])
        finally:
            server.stop()
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
