"""--web.systemd-socket (socket activation, as node_exporter's): the agent serves on the listening
sockets systemd passes (LISTEN_FDS/LISTEN_PID, fds from 3) instead of binding --web.listen-address.
Checked with a small launcher that does what systemd does (binds, listens, sets the variables, execs
the agent with the socket at fd 3), and with a real systemd booted in namespaces (the package test's
boot) that starts the agent from a .socket unit on the first connection."""
import os
import re
import subprocess
import unittest

from hostwatch_testutil import BINARY, Agent, parse_samples, require_binary, run_agent
from throwaway_root import boot_systemd_or_skip

# Binds 127.0.0.1:0, puts the listening socket at fd 3, says which port, and execs argv[1:].
LAUNCHER = r"""
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
sys.stderr.write("launcher port=%d\n" % s.getsockname()[1])
sys.stderr.flush()
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execv(sys.argv[1], sys.argv[1:])
"""
FLAGS = ["--collector.disable-defaults", "--collector.loadavg"]


class LauncherTest(unittest.TestCase):
    def test_serves_on_the_passed_socket_and_binds_nothing_else(self):
        with Agent("--web.systemd-socket", *FLAGS, listen=None, prefix=("python3", "-c", LAUNCHER)) as agent:
            port = int(re.search(r"launcher port=(\d+)", agent.log()).group(1))
            self.assertEqual(agent.port, port, agent.log())
            self.assertIn("node_load1", parse_samples(agent.metrics()))
            # Only the passed socket listens: the default :9555 was not bound.
            with open("/proc/%d/net/tcp" % agent.pid) as f:
                listening = [l for l in f.read().splitlines()[1:] if l.split()[3] == "0A"]
            inodes = {l.split()[9] for l in listening}
            ours = {os.readlink("/proc/%d/fd/%s" % (agent.pid, fd)) for fd in os.listdir("/proc/%d/fd" % agent.pid)}
            self.assertEqual(len([i for i in inodes if "socket:[%s]" % i in ours]), 1)
            log = agent.log()
        self.assertNotIn("level=error", log)

    def test_without_a_passed_socket_the_agent_refuses_to_start(self):
        res = run_agent("--web.systemd-socket", *FLAGS)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("LISTEN_FDS is not set", res.stderr)

    def test_a_passed_descriptor_that_is_not_a_listening_socket_is_refused(self):
        launcher = LAUNCHER.replace("s.listen(16)", "pass")  # bound, not listening
        require_binary()
        res = subprocess.run(["python3", "-c", launcher, BINARY, "--web.systemd-socket"] + FLAGS,
                             capture_output=True, text=True, timeout=15)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("descriptor 3 is not a listening TCP socket", res.stderr)


class RealSystemdSocketTest(unittest.TestCase):
    def test_a_socket_unit_starts_the_agent_on_the_first_connection(self):
        require_binary()
        sd = boot_systemd_or_skip("socket activation")
        self.addCleanup(sd.close)
        with open(sd.path("/etc/systemd/system/hwtest-agent.socket"), "w") as f:
            f.write("[Socket]\nListenStream=127.0.0.1:9571\n")
        with open(sd.path("/etc/systemd/system/hwtest-agent.service"), "w") as f:
            f.write("[Service]\nExecStart=%s --web.systemd-socket %s\nUser=nobody\n" % (BINARY, " ".join(FLAGS)))
        sd.run("systemctl", "daemon-reload")
        sd.run("systemctl", "start", "hwtest-agent.socket")
        self.assertEqual(sd.show("hwtest-agent.service", "ActiveState"), "inactive")
        text = sd.http_get("http://127.0.0.1:9571/metrics")  # the connection starts the service
        self.assertIn("node_load1", parse_samples(text))
        self.assertEqual(sd.show("hwtest-agent.service", "ActiveState"), "active")
        journal = sd.run("journalctl", "-u", "hwtest-agent.service", "--no-pager", "-o", "cat", check=False).stdout
        self.assertRegex(journal, r'msg="hostwatch started".*address=127\.0\.0\.1:9571')
        # Restarting the service keeps the socket (systemd holds it): no connection is refused meanwhile.
        sd.run("systemctl", "restart", "hwtest-agent.service")
        self.assertIn("node_load1", parse_samples(sd.http_get("http://127.0.0.1:9571/metrics")))


if __name__ == "__main__":
    unittest.main()
