"""remote_write against a receiver that answers badly (issue 20), a small Python HTTP server:
- 400: the batch is dropped, not retried, and counted in samples_failed_total;
- 429 with Retry-After: the same batch is sent again, not before Retry-After;
- 500: the same batch is sent again (after a backoff), then accepted.
Every request must carry the Remote-Write 1.0 headers.
Reload (SIGHUP): an endpoint that stays (same name and url) keeps its position, so its backlog is sent; an
added one starts; a bad remote_write section keeps the running push."""
import json
import os
import signal
import threading
import time
import unittest

from hostwatch_testutil import Agent, Reply, TargetServer, TempDir, parse_samples, require_binary, wait_for

RETRY_AFTER_SECONDS = 2


class Script:
    """Answers a path's requests from a list of replies (the last one repeats) and records each request."""

    def __init__(self, replies):
        self.replies, self.requests, self.lock = list(replies), [], threading.Lock()

    def __call__(self, handler):
        with self.lock:
            self.requests.append((time.monotonic(), handler.body, dict(handler.headers)))
            return self.replies[min(len(self.requests), len(self.replies)) - 1]

    def seen(self):
        with self.lock:
            return list(self.requests)


class RemoteWriteFaultsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.tmp = TempDir()
        cls.scripts = {
            "bad": Script([Reply(400, b"out of bounds: sample too old " + b"x" * 1000)]),
            "limited": Script([Reply(429, b"slow down", headers=[("Retry-After", str(RETRY_AFTER_SECONDS))]),
                               Reply(204)]),
            "broken": Script([Reply(500, b"oops"), Reply(503, b"oops"), Reply(204)]),
        }
        cls.server = TargetServer({"POST /" + k: s for k, s in cls.scripts.items()})
        config = os.path.join(cls.tmp.path, "hostwatch.yml")
        with open(config, "w") as f:
            json.dump({"collectors": {"disable_defaults": True, "loadavg": {"enabled": True}},
                       "remote_write": {
                           # A long interval: the first gather is the one batch each receiver sees.
                           "interval": "1h", "buffer": {"directory": os.path.join(cls.tmp.path, "buffer")},
                           "endpoints": [{"name": k, "url": cls.server.url("/" + k),
                                          "queue_config": {"min_backoff": "100ms", "max_backoff": "400ms"}}
                                         for k in cls.scripts]}}, f)
        cls.agent = Agent("--config.file=" + config)

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.server.stop()
        cls.tmp.cleanup()

    def counter(self, name, endpoint):
        return parse_samples(self.agent.metrics()).get(
            'prometheus_remote_storage_%s{remote_name="%s",url="%s"}' % (name, endpoint, self.server.url("/" + endpoint)))

    def test_every_request_speaks_remote_write_1_0(self):
        self.assertTrue(wait_for(lambda: self.scripts["broken"].seen(), timeout=20))
        _, body, headers = self.scripts["broken"].seen()[0]
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(headers.get("content-encoding"), "snappy")
        self.assertEqual(headers.get("content-type"), "application/x-protobuf")
        self.assertEqual(headers.get("x-prometheus-remote-write-version"), "0.1.0")
        self.assertTrue(headers.get("user-agent", "").startswith("hostwatch/"))
        self.assertGreater(len(body), 0)

    def test_400_is_dropped_and_counted_not_retried(self):
        self.assertTrue(wait_for(lambda: (self.counter("samples_failed_total", "bad") or 0) > 0, timeout=20),
                        self.agent.log()[-2000:])
        time.sleep(1)  # several backoffs' worth: a retry would have come by now
        self.assertEqual(len(self.scripts["bad"].seen()), 1)
        self.assertEqual(self.counter("samples_retried_total", "bad"), 0)
        self.assertIn("status=400", self.agent.log())
        self.assertNotIn("x" * 300, self.agent.log())  # the receiver's message is truncated

    def test_429_is_retried_after_retry_after(self):
        self.assertTrue(wait_for(lambda: len(self.scripts["limited"].seen()) >= 2, timeout=20))
        (t0, body0, _), (t1, body1, _) = self.scripts["limited"].seen()[:2]
        self.assertEqual(body0, body1, "the same batch is sent again")
        self.assertGreaterEqual(t1 - t0, RETRY_AFTER_SECONDS - 0.1, "sent again before Retry-After")
        self.assertTrue(wait_for(lambda: (self.counter("samples_total", "limited") or 0) > 0, timeout=10))
        self.assertGreater(self.counter("samples_retried_total", "limited"), 0)
        self.assertEqual(self.counter("samples_failed_total", "limited"), 0)

    def test_5xx_is_retried_with_backoff_until_accepted(self):
        self.assertTrue(wait_for(lambda: (self.counter("samples_total", "broken") or 0) > 0, timeout=20))
        seen = self.scripts["broken"].seen()
        self.assertGreaterEqual(len(seen), 3)
        self.assertEqual(len({body for _, body, _ in seen[:3]}), 1, "the same batch each time")
        self.assertGreater(self.counter("samples_retried_total", "broken"), 0)
        self.assertEqual(self.counter("samples_failed_total", "broken"), 0)


class RemoteWriteReloadTest(unittest.TestCase):
    def setUp(self):
        require_binary()
        self.tmp = TempDir()
        self.down = True
        self.bodies = {"kept": [], "added": []}
        self.lock = threading.Lock()
        self.server = TargetServer({"POST /kept": lambda h: self.answer("kept", h),
                                    "POST /added": lambda h: self.answer("added", h)})
        self.config = os.path.join(self.tmp.path, "hostwatch.yml")
        self.write_config(["kept"])
        self.agent = Agent("--config.file=" + self.config)

    def tearDown(self):
        self.agent.stop()
        self.server.stop()
        self.tmp.cleanup()

    def answer(self, name, handler):
        with self.lock:
            failing = self.down and name == "kept"
            self.bodies[name].append((failing, handler.body))
        return Reply(503, b"down") if failing else Reply(204)

    def write_config(self, names, extra=None):
        endpoint = {"queue_config": {"min_backoff": "100ms", "max_backoff": "200ms"}}
        endpoint.update(extra or {})
        with open(self.config, "w") as f:
            json.dump({"collectors": {"disable_defaults": True, "loadavg": {"enabled": True}},
                       "remote_write": {"interval": "500ms",
                                        "buffer": {"directory": os.path.join(self.tmp.path, "buffer")},
                                        "endpoints": [dict(endpoint, name=n, url=self.server.url("/" + n))
                                                      for n in names]}}, f)

    def reload(self):
        self.agent.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "configuration reloaded" in self.agent.log()
                                 or "reload failed" in self.agent.log(), timeout=10))

    def pending(self, name):
        return parse_samples(self.agent.metrics()).get(
            'prometheus_remote_storage_samples_pending{remote_name="%s",url="%s"}' % (name, self.server.url("/" + name)))

    def accepted(self, name):
        with self.lock:
            return sum(1 for failing, _ in self.bodies[name] if not failing)

    def test_a_kept_endpoint_keeps_its_backlog_and_a_bad_section_keeps_the_push(self):
        self.assertTrue(wait_for(lambda: len(self.bodies["kept"]) >= 3, timeout=20))
        time.sleep(2.5)  # a backlog of several gathers (one every 500ms) behind the failing one
        with self.lock:
            oldest_unsent = self.bodies["kept"][-1][1]
        self.write_config(["kept", "added"])
        self.reload()
        with self.lock:
            self.down = False
        self.assertTrue(wait_for(lambda: self.accepted("kept") > 0, timeout=20))
        with self.lock:
            first_accepted = next(body for failing, body in self.bodies["kept"] if not failing)
        self.assertEqual(first_accepted, oldest_unsent, "the kept endpoint started over instead of resuming")
        self.assertTrue(wait_for(lambda: self.accepted("added") > 0, timeout=20), "the added endpoint never sent")
        # Both caught up: the kept endpoint sent its backlog (one request per gather) on top of what the added
        # one, which starts at the end of the log, sent since the reload.
        self.assertTrue(wait_for(lambda: self.pending("kept") == 0 and self.pending("added") == 0, timeout=30))
        self.assertGreaterEqual(self.accepted("kept") - self.accepted("added"), 3,
                                "the kept endpoint's backlog was not sent")
        # A section with a problem: refused, and the running push goes on.
        self.write_config(["kept"], {"write_relabel_configs": [{"action": "hashmod", "modulus": 2}]})
        self.agent.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "write_relabel_configs[0]" in self.agent.log(), timeout=10))
        self.assertEqual(parse_samples(self.agent.metrics()).get("hostwatch_config_last_reload_successful"), 0)
        with self.lock:
            seen = len(self.bodies["added"])
        self.assertTrue(wait_for(lambda: len(self.bodies["added"]) > seen, timeout=20),
                        "the running configuration's endpoints stopped")


if __name__ == "__main__":
    unittest.main()
