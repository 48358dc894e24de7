"""The Prometheus alert rules (dashboards/alerts.yml, dashboards/node-alerts.yml) and their promtool
unit tests (dashboards/tests/*.yml).

- `promtool check rules` and `promtool test rules` pass;
- every alert has a firing and a not-firing case, and is listed (not firing) in quiet_host_test.yml,
  the ordinary host where mdadm, conntrack and pressure have no data;
- every rule has summary, description, a known severity and a runbook_url into docs/runbooks.md
  whose anchor exists;
- no rule depends on the job name, and none pages twice beside the node-mixin: alerts.yml has no
  node-mixin rule, and a node-alerts.yml rule that has a node-mixin name has its severity and `for`.

tests/integration/test_dashboards.py loads the same files into a real Prometheus.
"""
import os
import re
import subprocess
import unittest

from hostwatch_testutil import SOURCE_DIR

DASHBOARD_DIR = os.path.abspath(os.path.join(SOURCE_DIR, "dashboards"))
# alerts.yml: always loaded. node-alerts.yml: loaded where the node-mixin is not.
RULE_FILES = [os.path.join(DASHBOARD_DIR, "alerts.yml"), os.path.join(DASHBOARD_DIR, "node-alerts.yml")]
RULE_TESTS_DIR = os.path.join(DASHBOARD_DIR, "tests")
QUIET_HOST_TEST = os.path.join(RULE_TESTS_DIR, "quiet_host_test.yml")
RUNBOOKS = os.path.join(SOURCE_DIR, "docs", "runbooks.md")
# Where runbook_url points: the repository's docs/runbooks.md (installed as
# /usr/share/doc/hostwatch/runbooks.md.gz). One base for every rule.
RUNBOOK_BASE = "https://github.com/hostwatch/hostwatch/blob/main/docs/runbooks.md"
MIXIN_FILE = os.environ.get("HOSTWATCH_NODE_MIXIN_EXPRS", os.path.abspath(
    os.path.join(SOURCE_DIR, "..", "shared", "reference", "node_mixin_exprs.txt")))
PROMTOOL_BINARY = "/usr/bin/promtool"


def require_promtool():
    if os.access(PROMTOOL_BINARY, os.X_OK):
        return PROMTOOL_BINARY
    message = PROMTOOL_BINARY + " is not installed (packaging/install-deps.sh installs Debian's prometheus)"
    if os.environ.get("CI"):
        raise AssertionError(message)
    raise unittest.SkipTest(message)


class Rule:
    def __init__(self, path, kind, name):
        self.path, self.kind, self.name = path, kind, name
        self.expr, self.for_, self.labels, self.annotations = "", "", {}, {}

    def __repr__(self):
        return "%s %s (%s)" % (self.kind, self.name, self.labels.get("severity", "-"))


def read_rules(path):
    """Every rule of one of our rule files. They are written in one shape (a `|` block per expr,
    `key: value` labels and annotations), which this reader relies on; promtool's rule count
    (RulesFileTest) proves that it misses none."""
    rules = []
    section = None
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\s+- (alert|record): (\S+)\s*$", line)
        if m:
            rules.append(Rule(path, m.group(1), m.group(2)))
            section = None
        elif rules and re.match(r"^\s+expr: \|\s*$", line):
            indent = len(line) - len(line.lstrip())
            body = []
            while i + 1 < len(lines) and (not lines[i + 1].strip()
                                          or len(lines[i + 1]) - len(lines[i + 1].lstrip()) > indent):
                i += 1
                body.append(lines[i].strip())
            rules[-1].expr = " ".join(b for b in body if b)
        elif rules and re.match(r"^\s+for: ", line):
            rules[-1].for_ = line.split(":", 1)[1].strip()
        elif rules and re.match(r"^\s+(labels|annotations):\s*$", line):
            section = line.strip().rstrip(":")
        elif rules and section and re.match(r"^\s+\w+: ", line):
            key, value = line.strip().split(":", 1)
            value = value.strip()
            if value.startswith('"') and value.endswith('"'):
                value = value[1:-1]
            getattr(rules[-1], section)[key] = value
        i += 1
    return rules


def all_alerts():
    return [r for path in RULE_FILES for r in read_rules(path) if r.kind == "alert"]


def rule_test_cases(text):
    """(alertname, "firing" or "not firing") for every alert_rule_test case of a promtool test file
    written like dashboards/tests/*.yml (promtool itself checks the file's meaning)."""
    cases = []
    for m in re.finditer(r"alertname: (\w+)\n\s+exp_alerts:(.*?)(?=\n\s+- eval_time|\n\s*\n|\n  - |\Z)", text, re.S):
        cases.append((m.group(1), "not firing" if m.group(2).strip() == "[]" else "firing"))
    return cases


def markdown_anchors(path):
    """GitHub's anchors for the headings of a Markdown file."""
    anchors = set()
    with open(path) as f:
        for line in f:
            m = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
            if m:
                slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
                anchors.add(slug)
    return anchors


def parse_mixin_file():
    """[(kind, name, {"for": ..., "severity": ...}, expr)] from node_mixin_exprs.txt."""
    entries = []
    with open(MIXIN_FILE) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            head, expr = line.rstrip("\n").split("\t", 1)
            words = head.split()
            attrs = dict(w.split("=", 1) for w in words[2:])
            entries.append((words[0], words[1], attrs, expr.strip()))
    return entries


def normalized(expr):
    """An expression without the job="node" matcher and whitespace, for comparing with the mixin's."""
    expr = re.sub(r'job="node",?\s*', "", expr).replace(",}", "}").replace("{}", "")
    return re.sub(r"\s+", "", expr)


class RulesFileTest(unittest.TestCase):
    def setUp(self):
        self.promtool = require_promtool()

    def test_promtool_check_rules_and_the_reader_sees_every_rule(self):
        for path in RULE_FILES:
            with self.subTest(file=os.path.basename(path)):
                res = subprocess.run([self.promtool, "check", "rules", path], capture_output=True, text=True,
                                     timeout=60)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                count = int(re.search(r"SUCCESS: (\d+) rules found", res.stdout).group(1))
                rules = read_rules(path)
                self.assertEqual(len(rules), count, rules)
                self.assertTrue(all(r.expr for r in rules), rules)

    def test_promtool_test_rules(self):
        files = sorted(os.path.join(RULE_TESTS_DIR, f) for f in os.listdir(RULE_TESTS_DIR) if f.endswith(".yml"))
        self.assertGreaterEqual(len(files), 3)
        res = subprocess.run([self.promtool, "test", "rules"] + files, capture_output=True, text=True, timeout=120)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)


class RuleCasesTest(unittest.TestCase):
    def test_rule_test_cases_are_classified(self):
        text = """tests:
  - interval: 1m
    alert_rule_test:
      - eval_time: 5m
        alertname: A
        exp_alerts: []
      - eval_time: 20m
        alertname: A
        exp_alerts:
          - exp_labels: {severity: warning}
  - interval: 1m
    alert_rule_test:
      - eval_time: 5m
        alertname: B
        exp_alerts:
          - exp_labels: {severity: critical}
"""
        self.assertEqual(rule_test_cases(text), [("A", "not firing"), ("A", "firing"), ("B", "firing")])

    def test_every_alert_has_firing_and_not_firing_cases(self):
        names = {r.name for r in all_alerts()}
        self.assertGreaterEqual(len(names), 20)
        cases = {n: {"firing": 0, "not firing": 0} for n in names}
        for f in os.listdir(RULE_TESTS_DIR):
            with open(os.path.join(RULE_TESTS_DIR, f)) as fh:
                for alert, kind in rule_test_cases(fh.read()):
                    self.assertIn(alert, cases, "test for an unknown alert in " + f)
                    cases[alert][kind] += 1
        missing = {n: k for n, c in cases.items() for k, count in c.items() if count == 0}
        self.assertEqual(missing, {}, "alerts without a firing or a not-firing rule test")

    def test_the_quiet_host_checks_every_alert(self):
        """An ordinary host (mdadm, conntrack and pressure without data, full tmpfs, an idle
        interface, one short check failure) must raise nothing: every alert is asserted quiet."""
        with open(QUIET_HOST_TEST) as f:
            text = f.read()
        for path in RULE_FILES:
            self.assertIn("../" + os.path.basename(path), text)
        quiet = {alert for alert, kind in rule_test_cases(text) if kind == "not firing"}
        self.assertEqual({alert for alert, kind in rule_test_cases(text) if kind == "firing"}, set())
        self.assertEqual(sorted({r.name for r in all_alerts()} - quiet), [])
        for collector in ("mdadm", "conntrack", "pressure"):
            self.assertRegex(text, r"hostwatch_collector_no_data\{collector=\"%s\"[^']*'\n\s+values: '1x" % collector)


class RuleContentTest(unittest.TestCase):
    def test_annotations_severity_and_runbook(self):
        anchors = markdown_anchors(RUNBOOKS)
        for rule in all_alerts():
            with self.subTest(rule=rule):
                self.assertIn(rule.labels.get("severity"), ("info", "warning", "critical"))
                self.assertTrue(rule.annotations.get("summary"))
                self.assertTrue(rule.annotations.get("description"))
                self.assertEqual(rule.annotations.get("runbook_url"), RUNBOOK_BASE + "#" + rule.name.lower())
                self.assertIn(rule.name.lower(), anchors, "docs/runbooks.md needs a '## %s' section" % rule.name)

    def test_no_rule_depends_on_the_job_name(self):
        for path in RULE_FILES:
            for rule in read_rules(path):
                self.assertNotRegex(rule.expr, r"\bjob\s*=~?\s*\"", rule)

    def test_nothing_pages_twice_beside_the_node_mixin(self):
        if not os.path.exists(MIXIN_FILE):
            self.skipTest("SKIPPED: node-mixin expressions not found at " + MIXIN_FILE)
        mixin = [e for e in parse_mixin_file() if e[0] == "alert"]
        mixin_names = {name for _, name, _, _ in mixin}
        mixin_exprs = {normalized(expr) for _, _, _, expr in mixin}
        always_loaded = read_rules(RULE_FILES[0])
        for rule in always_loaded:
            self.assertNotIn(rule.name, mixin_names, "%s is a node-mixin rule: it belongs in node-alerts.yml" % rule)
            self.assertNotIn(normalized(rule.expr), mixin_exprs, "%s repeats a node-mixin expression" % rule)
        # In node-alerts.yml, a rule with a node-mixin name is that rule: same severity and `for`, so
        # that Alertmanager merges the two if both are loaded after all.
        for rule in (r for r in read_rules(RULE_FILES[1]) if r.kind == "alert"):
            if rule.name not in mixin_names:
                self.assertTrue(rule.name.startswith("Host"), "%s: a node-mixin name or a Host* name" % rule)
                self.assertNotIn(normalized(rule.expr), mixin_exprs, rule)
                continue
            theirs = [attrs for _, name, attrs, _ in mixin
                      if name == rule.name and attrs.get("severity") == rule.labels["severity"]]
            self.assertEqual(len(theirs), 1, "%s: no node-mixin rule with this name and severity" % rule)
            self.assertEqual(rule.for_ or None, theirs[0].get("for"), rule)


if __name__ == "__main__":
    unittest.main()
