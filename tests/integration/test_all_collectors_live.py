"""Every collector at once on the machine running the tests.

A demanding operator turns on everything `hostwatch --help` lists. Each collector must then either
succeed (it found its kernel interface) or report "no data" (success 0 and a debug line saying why,
as node_exporter's ErrNoData): never a failure, never a warning or error in the log, and the scrape
still passes promtool. The list of collectors comes from the binary, so new collectors are held to
this without editing the test.
"""
import re
import unittest

from hostwatch_testutil import Agent, check_metrics_with_promtool, require_binary, run_agent, sample


def all_collectors():
    return sorted(set(re.findall(r"Enable the (\w+) collector \(default:", run_agent("--help").stdout)))


class AllCollectorsLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.collectors = all_collectors()
        with Agent(*["--collector." + c for c in cls.collectors], "--log.level=debug") as agent:
            agent.metrics()  # the first scrape primes rate-like state; judge the second
            cls.text = agent.metrics()
        cls.log = agent.log()

    def test_each_collector_succeeds_or_has_no_data(self):
        no_data = dict(re.findall(r'msg="collector returned no data" name=(\w+) err="([^"]*)"', self.log))
        outcome = {}
        for name in self.collectors:
            success = sample(self.text, 'node_scrape_collector_success{collector="%s"}' % name)
            outcome[name] = "ok" if success == 1 else ("no data: " + no_data[name] if name in no_data else success)
        print("\n" + "\n".join("  %-20s %s" % kv for kv in sorted(outcome.items())))
        self.assertEqual({n: o for n, o in outcome.items() if o != "ok" and not str(o).startswith("no data")}, {},
                         "collectors that failed (or did not report); log:\n" + self.log)

    def test_nothing_is_logged_above_debug_by_a_collector(self):
        loud = [l for l in self.log.splitlines() if re.search(r"level=(warn|error)", l)]
        self.assertEqual(loud, [])

    def test_exposition_passes_promtool(self):
        check_metrics_with_promtool(self, self.text)


if __name__ == "__main__":
    unittest.main()
