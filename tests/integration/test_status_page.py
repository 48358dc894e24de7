"""The / status page rendered by a real headless Chromium against the real agent.

Asserts the tables from the DOM Chromium builds, that hostile strings render as
text (no element created), and saves a screenshot as a test artifact."""
import html.parser
import os
import shutil
import subprocess
import tempfile
import unittest

from hostwatch_testutil import Agent, TempDir, require_binary, sample

ARTIFACT_DIR = os.path.join(os.environ.get("HOSTWATCH_BINARY_DIR", tempfile.gettempdir()), "test-artifacts")


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(url, *mode_args):
    profile = tempfile.mkdtemp(prefix="hostwatch-chromium-")
    try:
        args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1200,1400"] + list(mode_args) + [url]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class DomTables(html.parser.HTMLParser):
    """Collects table cell texts by table id, element ids, and every tag name seen."""

    def __init__(self):
        super().__init__()
        self.tables = {}
        self.tags = []
        self.ids = {}
        self._table = None
        self._row = None
        self._cell = None
        self._id_stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
            self.tables[self._table].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        if attrs.get("id"):
            self.ids[attrs["id"]] = []
            self._id_stack.append((tag, attrs["id"]))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None
        if self._id_stack and self._id_stack[-1][0] == tag:
            self._id_stack.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, element_id in self._id_stack:
            self.ids[element_id].append(data)


class StatusPageBrowserTest(unittest.TestCase):
    def setUp(self):
        require_binary()
        if chromium() is None:
            msg = "SKIPPED LOUDLY: chromium is not installed (packaging/install-deps.sh installs it)"
            print(msg)
            if os.environ.get("CI"):
                self.fail(msg)
            self.skipTest(msg)
        self.tmp = TempDir()

    def tearDown(self):
        self.tmp.cleanup()

    def test_status_page_in_headless_chromium(self):
        hostile = "<img src=x onerror=alert(1)>"
        config = self.tmp.write(hostile + ".yml", "collectors:\n  cpu: {guest: false}\n")
        with Agent("--config.file=" + config) as agent:
            metrics = agent.metrics()
            result = run_chromium(agent.base_url + "/", "--dump-dom")
            after = agent.metrics()
            self.assertEqual(result.returncode, 0, result.stderr[-2000:])
            dom = DomTables()
            dom.feed(result.stdout)

            # The hostile config path shows as text, and no <img> element exists.
            self.assertEqual([t for t, _ in dom.tags if t in ("img", "script")], [])
            self.assertIn(hostile + ".yml", result.stdout.replace("&lt;", "<").replace("&gt;", ">"))
            agent_rows = {r[0]: r[1] for r in dom.tables["agent"] if len(r) == 2}
            self.assertIn(hostile, agent_rows["Config file"])
            self.assertIn("successful", agent_rows["Last reload"])
            self.assertIn("127.0.0.1:%d" % agent.port, agent_rows["Listening on"])

            collectors = {r[0]: r for r in dom.tables["collectors"][1:]}
            self.assertEqual(sorted(collectors), sorted(
                l.split('"')[1] for l in metrics.splitlines() if l.startswith("node_scrape_collector_success{")))
            self.assertEqual(collectors["cpu"][1], "yes")
            self.assertEqual(collectors["loadavg"][1], "yes")

            # The load shown is the one /metrics reports (two decimals). The kernel updates it every
            # 5 s, so the page's value lies between the scrapes taken just before and just after it.
            before_load, after_load = sample(metrics, "node_load1"), sample(after, "node_load1")
            shown = float("".join(dom.ids["load"]).split("/")[0].strip())
            self.assertGreaterEqual(shown, min(before_load, after_load) - 0.006)
            self.assertLessEqual(shown, max(before_load, after_load) + 0.006)
            busy = "".join(dom.ids["cpu-busy"])
            self.assertRegex(busy, r"\d+\.\d%")

            os.makedirs(ARTIFACT_DIR, exist_ok=True)
            shot = os.path.join(ARTIFACT_DIR, "status_page.png")
            res = run_chromium(agent.base_url + "/", "--screenshot=" + shot)
            self.assertEqual(res.returncode, 0, res.stderr[-2000:])
            self.assertTrue(os.path.getsize(shot) > 1000)
            print("screenshot saved to " + shot)


class StatusPageWithoutBrowserTest(unittest.TestCase):
    """The page shows what scrapes already know and runs none of its own."""

    def setUp(self):
        require_binary()

    def page(self, agent):
        status, _, body = agent.request("/")
        self.assertEqual(status, 200)
        dom = DomTables()
        dom.feed(body.decode("utf-8"))
        return dom

    def test_before_and_after_the_first_scrape(self):
        with Agent() as agent:
            dom = self.page(agent)
            self.assertIn("Not scraped yet", "".join(dom.ids["no-scrape"]))
            self.assertEqual("".join(dom.ids["cpu-busy"]).strip().split()[0], "n/a")
            collectors = {r[0]: r for r in dom.tables["collectors"][1:]}
            self.assertEqual(collectors["cpu"][1], "not run yet")
            # Viewing the page ran no collector: a second view still has nothing to show.
            again = self.page(agent)
            self.assertIn("no-scrape", again.ids)
            self.assertEqual({r[0]: r[1] for r in again.tables["collectors"][1:]}["cpu"], "not run yet")

            metrics = agent.metrics()
            dom = self.page(agent)
            self.assertNotIn("no-scrape", dom.ids)
            self.assertIn("As of the last scrape", "".join(dom.ids["scraped-at"]))
            collectors = {r[0]: r for r in dom.tables["collectors"][1:]}
            self.assertEqual(collectors["cpu"][1], "yes")
            # The load shown is the one that scrape reported (two decimals).
            self.assertAlmostEqual(float("".join(dom.ids["load"]).split("/")[0].strip()),
                                   sample(metrics, "node_load1"), delta=0.006)


if __name__ == "__main__":
    unittest.main()
