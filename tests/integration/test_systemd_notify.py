"""The real binary speaks systemd's notify protocol (Type=notify, WatchdogSec=).

The test plays systemd's part: it binds an abstract AF_UNIX datagram socket,
starts hostwatch with NOTIFY_SOCKET (and WATCHDOG_USEC) pointing at it, and
checks the messages around start, reload, watchdog and stop. libsystemd is
loaded with dlopen() only under systemd, so an agent started by hand does not map it.
"""
import os
import signal
import socket
import time
import unittest

from hostwatch_testutil import Agent, library_mapped


class NotifySocket:
    """An abstract-namespace datagram socket like the one systemd passes."""

    def __init__(self):
        self.name = "hostwatch-test-notify-%d-%d" % (os.getpid(), time.monotonic_ns())
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name)
        self.messages = []

    @property
    def env_value(self):
        return "@" + self.name

    def wait_for(self, predicate, timeout=5.0):
        """Reads messages until predicate(message) is true; returns it or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            self.messages.append(msg)
            if predicate(msg):
                return msg
        return None

    def close(self):
        self.sock.close()


def fields(msg):
    return dict(line.split("=", 1) for line in msg.split("\n") if "=" in line)


class SystemdNotifyTest(unittest.TestCase):
    def setUp(self):
        self.notify = NotifySocket()
        self.addCleanup(self.notify.close)

    def test_ready_reload_and_stop_notifications(self):
        agent = Agent(env={"NOTIFY_SOCKET": self.notify.env_value})
        self.addCleanup(agent.stop)
        ready = self.notify.wait_for(lambda m: "READY=1" in m)
        self.assertIsNotNone(ready, "no READY=1; got %r\n%s" % (self.notify.messages, agent.log()))
        # READY comes after the listener is bound, and names where it listens.
        self.assertEqual(fields(ready)["STATUS"], "serving on 127.0.0.1:%d" % agent.port)
        status, _, _ = agent.request("/-/ready")
        self.assertEqual(status, 200)
        self.assertTrue(library_mapped(agent.proc.pid, "libsystemd.so"))

        agent.proc.send_signal(signal.SIGHUP)
        reloading = self.notify.wait_for(lambda m: "RELOADING=1" in m)
        self.assertIsNotNone(reloading, self.notify.messages)
        self.assertGreater(int(fields(reloading)["MONOTONIC_USEC"]), 0)
        ready_again = self.notify.wait_for(lambda m: "READY=1" in m)
        self.assertIsNotNone(ready_again, "no READY=1 after the reload: %r" % self.notify.messages)

        self.assertEqual(agent.stop(signal.SIGTERM), 0)
        stopping = self.notify.wait_for(lambda m: "STOPPING=1" in m, timeout=2)
        self.assertIsNotNone(stopping, self.notify.messages)

    def test_outside_systemd_libsystemd_is_not_loaded(self):
        if "NOTIFY_SOCKET" in os.environ or "WATCHDOG_USEC" in os.environ:
            self.skipTest("the tests themselves run under systemd's notify protocol")
        with Agent() as agent:
            self.assertEqual(agent.request("/-/ready")[0], 200)
            agent.metrics()
            self.assertFalse(library_mapped(agent.proc.pid, "libsystemd.so"))
        self.assertEqual(self.notify.messages, [])

    def test_watchdog_pings_at_half_the_interval(self):
        # WATCHDOG_USEC=400ms -> a ping every 200ms. Over 1.2s expect about 6;
        # ask for 3 so that a loaded machine does not make this flaky.
        agent = Agent(env={"NOTIFY_SOCKET": self.notify.env_value, "WATCHDOG_USEC": "400000"})
        self.addCleanup(agent.stop)
        start = time.monotonic()
        pings = 0
        while time.monotonic() - start < 1.2:
            if self.notify.wait_for(lambda m: m == "WATCHDOG=1", timeout=1.2 - (time.monotonic() - start)):
                pings += 1
        self.assertGreaterEqual(pings, 3, self.notify.messages)
        self.assertLessEqual(pings, 20, "pinging far too often: %r" % self.notify.messages)

    def test_no_watchdog_pings_when_watchdog_is_for_another_process(self):
        agent = Agent(env={"NOTIFY_SOCKET": self.notify.env_value, "WATCHDOG_USEC": "200000",
                           "WATCHDOG_PID": "1"})
        self.addCleanup(agent.stop)
        self.assertIsNotNone(self.notify.wait_for(lambda m: "READY=1" in m))
        self.assertIsNone(self.notify.wait_for(lambda m: m == "WATCHDOG=1", timeout=0.6), self.notify.messages)


if __name__ == "__main__":
    unittest.main()
