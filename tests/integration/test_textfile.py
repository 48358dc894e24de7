"""The textfile collector against what may be dropped into its directory (issue 16, items 13-15),
on the real binary: a FIFO named *.prom does not hold a scrape, a 15 MiB file is skipped unread
without raising the agent's peak memory, and a file cannot shadow a series the agent produces
itself (a failing check's probe_success, node_cpu_seconds_total). Each case is reported in the
metrics and logged once with the file's name."""
import json
import os
import time
import unittest

from hostwatch_testutil import Agent, Reply, TargetServer, TempDir, require_binary, sample, status_kib


def count_lines(text, prefix):
    return len([l for l in text.splitlines() if l.startswith(prefix)])


class TextfileTrapsTest(unittest.TestCase):
    def setUp(self):
        require_binary()
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.dir = os.path.join(self.tmp.path, "textfile")
        self.tmp.write("textfile/good.prom", "# TYPE good_metric gauge\ngood_metric 1\n")

    def test_repeated_directories_and_globs_as_node_exporter(self):
        self.tmp.write("teams/a/a.prom", "team_metric{team=\"a\"} 1\n")
        self.tmp.write("teams/b/b.prom", "team_metric{team=\"b\"} 2\n")
        teams = os.path.join(self.tmp.path, "teams", "*")
        with Agent("--collector.textfile.directory=" + self.dir, "--collector.textfile.directory=" + teams) as agent:
            text = agent.metrics()
        self.assertEqual(sample(text, "good_metric"), 1)
        self.assertEqual(sample(text, 'team_metric{team="a"}'), 1)
        self.assertEqual(sample(text, 'team_metric{team="b"}'), 2)
        self.assertEqual(sample(text, "node_textfile_scrape_error"), 0)
        for path in (os.path.join(self.dir, "good.prom"), os.path.join(self.tmp.path, "teams", "b", "b.prom")):
            self.assertIsNotNone(sample(text, 'node_textfile_mtime_seconds{file="%s"}' % path), text)
        # The configuration file takes the same as a list.
        config = self.tmp.write("hostwatch.yml", json.dumps({"collectors": {"textfile": {"directory": [self.dir, teams]}}}))
        with Agent("--config.file=" + config) as agent:
            self.assertEqual(sample(agent.metrics(), 'team_metric{team="b"}'), 2)

    def test_fifo_does_not_hold_the_scrape(self):
        fifo = os.path.join(self.dir, "pipe.prom")
        os.mkfifo(fifo)
        with Agent("--collector.textfile.directory=" + self.dir, "--scrape.collector-timeout=2s") as agent:
            texts = [agent.metrics() for _ in range(3)]
        for text in texts:
            self.assertEqual(sample(text, 'node_scrape_collector_success{collector="textfile"}'), 1)
            self.assertEqual(sample(text, "good_metric"), 1)
            self.assertEqual(sample(text, 'hostwatch_textfile_skipped_files{reason="not_regular_file"}'), 1)
            self.assertEqual(sample(text, "node_textfile_scrape_error"), 1)
        # logged with the file's name, once for the three scrapes
        self.assertEqual(agent.log().count(fifo + " is a FIFO, not a regular file"), 1, agent.log())

    def test_large_file_is_skipped_unread_without_raising_peak_memory(self):
        with Agent("--collector.textfile.directory=" + self.dir) as agent:
            for _ in range(3):
                agent.metrics()
            (before_kib,) = status_kib(agent.proc.pid, "VmHWM")
            line = 'big_series{i="%07d"} 1\n'  # 26 bytes
            big = self.tmp.write("textfile/big.prom", "".join(line % i for i in range(15 * 2**20 // 26)))
            self.assertAlmostEqual(os.path.getsize(big) / 2**20, 15, delta=0.01)  # under the old 16 MiB cap
            texts = [agent.metrics() for _ in range(3)]
            (after_kib,) = status_kib(agent.proc.pid, "VmHWM")
        # Reading and parsing it took ~400 MB; skipped by its size it costs nothing.
        self.assertLess(after_kib - before_kib, 32 * 1024, (before_kib, after_kib))
        for text in texts:
            self.assertNotIn("big_series", text)
            self.assertEqual(sample(text, "good_metric"), 1)
            self.assertEqual(sample(text, 'hostwatch_textfile_skipped_files{reason="too_large"}'), 1)
            self.assertEqual(sample(text, "node_textfile_scrape_error"), 1)
        self.assertEqual(agent.log().count(big + " is larger than 4194304 bytes"), 1, agent.log())

    def test_series_limit_flag(self):
        self.tmp.write("textfile/many.prom", "".join("many_series{i=\"%d\"} 1\n" % i for i in range(20)))
        with Agent("--collector.textfile.directory=" + self.dir, "--collector.textfile.max-series=10") as agent:
            text = agent.metrics()
        self.assertNotIn("many_series", text)
        self.assertEqual(sample(text, "good_metric"), 1)  # good.prom comes first in name order, 1 series
        self.assertEqual(sample(text, 'hostwatch_textfile_skipped_files{reason="series_limit"}'), 1)
        self.assertIn("many.prom: its 20 series", agent.log())


class TextfileShadowTest(unittest.TestCase):
    """A file that repeats the agent's own series: before the fix the file's probe_success 1 came
    first in the exposition and Prometheus kept it, hiding the failing check."""

    def setUp(self):
        require_binary()
        self.tmp = TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.server = TargetServer({"/fail": Reply(500, b"down")})
        self.addCleanup(self.server.stop)

    def test_file_cannot_shadow_the_agents_series(self):
        url = self.server.url("/fail")
        config = self.tmp.write("hostwatch.yml", json.dumps({"http_checks": {
            "defaults": {"interval": "1s", "timeout": "500ms", "jitter": "0s"},
            "checks": [{"name": "site", "url": url}]}}))
        shadow = self.tmp.write("textfile/shadow.prom",
                                '# TYPE probe_success gauge\nprobe_success{check="site",target="%s"} 1\n'
                                '# TYPE node_cpu_seconds_total counter\n'
                                'node_cpu_seconds_total{cpu="0",mode="idle"} -1\n'
                                '# HELP harmless_metric Something of the site\'s own.\n'
                                '# TYPE harmless_metric gauge\nharmless_metric 7\n' % url)
        with Agent("--config.file=" + config, "--collector.textfile.directory=" + os.path.dirname(shadow)) as agent:
            first = agent.metrics()  # possibly before the check's first run: protected all the same
            deadline = time.monotonic() + 20
            text = agent.metrics()
            while "probe_success{" not in text and time.monotonic() < deadline:
                time.sleep(0.2)
                text = agent.metrics()
            text2 = agent.metrics()
        for t in (first, text, text2):
            probe_lines = [l for l in t.splitlines() if l.startswith("probe_success")]
            self.assertTrue(all(l.endswith(" 0") for l in probe_lines), probe_lines)
            cpu = [l for l in t.splitlines() if l.startswith('node_cpu_seconds_total{cpu="0",mode="idle"}')]
            self.assertEqual(len(cpu), 1, cpu)
            self.assertNotEqual(cpu[0].rsplit(" ", 1)[1], "-1")
            self.assertEqual(sample(t, "harmless_metric"), 7)
            self.assertEqual(sample(t, "hostwatch_textfile_dropped_series"), 2)
        self.assertEqual(count_lines(text, "probe_success{"), 1, text)
        self.assertEqual(sample(text, 'probe_success{check="site",target="%s"}' % url), 0)
        log = agent.log()
        for family in ("probe_success", "node_cpu_seconds_total"):
            warnings = [l for l in log.splitlines() if "textfile series dropped" in l and "family=" + family in l]
            self.assertEqual(len(warnings), 1, log)  # once for all the scrapes
            self.assertIn(shadow, warnings[0])


if __name__ == "__main__":
    unittest.main()
