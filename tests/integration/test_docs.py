"""The documentation and the files shipped for people to read.

- Every relative link in README.md and docs/ (recursively) points at a file that exists, and every
  #anchor at a heading of that file (GitHub's anchors), so moving or renaming a page cannot leave a
  dead link behind; and no document, script or build file names a Markdown file that does not
  exist (as README once named DESIGN.md, CMakeLists.txt tests/fuzz/README.md).
- docs/collectors.md's table lists exactly the collectors the agent has (from `hostwatch --help`,
  which the collector registry generates), each with its default and every one of its options.
- The configuration file the package installs in /etc (packaging/hostwatch-conffile.yml) loads, sets
  nothing (only comments: upgrades never prompt about it), and its commented examples load too.
- The shipped scrape snippet names its job `node`, the job the node-mixin's rules select.
- packaging/debian/copyright is machine-readable (DEP-5) and carries CivetWeb's MIT notice as
  CivetWeb's own LICENSE.md words it; docs/LICENSE is the Apache License 2.0.
"""
import glob
import lzma
import os
import re
import tarfile
import unittest

from hostwatch_testutil import SOURCE_DIR, run_agent
from test_alert_rules import MIXIN_FILE, markdown_anchors, parse_mixin_file

DOC_FILES = [os.path.join(SOURCE_DIR, "README.md")] + sorted(
    glob.glob(os.path.join(SOURCE_DIR, "docs", "**", "*.md"), recursive=True))
CONFFILE = os.path.join(SOURCE_DIR, "packaging", "hostwatch-conffile.yml")
COPYRIGHT = os.path.join(SOURCE_DIR, "packaging", "debian", "copyright")
CIVETWEB_SOURCE = os.path.join(SOURCE_DIR, "third_party", "civetweb-src")
# Markdown inline links [text](target), leaving out images and code spans.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def links(path):
    """(line number, target) of every inline link outside fenced code blocks and code spans."""
    out = []
    fenced = False
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            if not fenced:
                out += [(number, m.group(1)) for m in LINK.finditer(re.sub(r"`[^`]*`", "", line))]
    return out


def link_problems(path):
    problems = []
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
            continue
        file_part, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
        where = "%s:%d: %s" % (os.path.relpath(path, SOURCE_DIR), number, target)
        if not os.path.exists(resolved):
            problems.append(where + ": no such file")
        elif anchor and resolved.endswith(".md") and anchor not in markdown_anchors(resolved):
            problems.append(where + ": no such heading")
    return problems


class LinkTest(unittest.TestCase):
    def test_every_relative_link_and_anchor_resolves(self):
        self.assertGreater(len(DOC_FILES), 8)
        problems = [p for path in DOC_FILES for p in link_problems(path)]
        self.assertEqual(problems, [])

    def test_the_checker_finds_dead_links(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            page = os.path.join(d, "page.md")
            with open(os.path.join(d, "other.md"), "w") as f:
                f.write("# Other page\n\n## Some `code` heading\n")
            with open(page, "w") as f:
                f.write("# Page\n[ok](other.md) [ok](other.md#some-code-heading) [ok](#page) [web](https://x.org/y)\n"
                        "[dead](DESIGN.md) [bad anchor](other.md#nope) `[code](nope.md)`\n"
                        "```\n[in a block](nope.md)\n```\n")
            problems = link_problems(page)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("DESIGN.md: no such file", problems[0])
        self.assertIn("other.md#nope: no such heading", problems[1])

    def test_every_doc_page_is_reachable_from_the_readme_or_docs(self):
        linked = set()
        for path in DOC_FILES:
            for _, target in links(path):
                file_part = target.partition("#")[0]
                if file_part and not re.match(r"^[a-z][a-z0-9+.-]*:", file_part):
                    linked.add(os.path.normpath(os.path.join(os.path.dirname(path), file_part)))
        pages = [p for p in DOC_FILES[1:] if os.path.dirname(p) == os.path.join(SOURCE_DIR, "docs")]
        self.assertEqual([os.path.relpath(p, SOURCE_DIR) for p in pages if os.path.normpath(p) not in linked], [])


# Where the project's own text lives (tests/ is left out: its fixtures name missing files on purpose).
MENTION_ROOTS = ["README.md", "CMakeLists.txt", ".ci", "agent", "bench", "cmake", "collectors", "dashboards", "docs",
                 "packaging"]
MENTION_SUFFIXES = (".md", ".py", ".cmake", ".txt", ".sh", ".yml", ".h", ".cpp", ".h2m", "run")
MD_MENTION = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.md)\b")


def mentioned_md_files_missing():
    """(file, mentioned name) for every *.md named in the project's text that exists neither
    relative to the naming file, nor to the source root, nor in docs/. URLs do not count."""
    missing = []
    paths = []
    for root in MENTION_ROOTS:
        top = os.path.join(SOURCE_DIR, root)
        if os.path.isfile(top):
            paths.append(top)
        for d, _, files in os.walk(top):
            paths += [os.path.join(d, f) for f in files if f.endswith(MENTION_SUFFIXES)]
    for path in paths:
        with open(path, errors="replace") as f:
            text = re.sub(r"\[[^\]]*\]\(https?://[^)]*\)|https?://\S+", "", f.read())
        for name in {m.group(1) for m in MD_MENTION.finditer(text)}:
            places = [os.path.join(os.path.dirname(path), name), os.path.join(SOURCE_DIR, name),
                      os.path.join(SOURCE_DIR, "docs", name)]
            if not any(os.path.exists(p) for p in places):
                missing.append((os.path.relpath(path, SOURCE_DIR), name))
    return sorted(missing)


class MentionTest(unittest.TestCase):
    def test_no_file_names_a_missing_markdown_file(self):
        self.assertEqual(mentioned_md_files_missing(), [])


def registered_collectors():
    """{collector: (default on?, [option names])} from `hostwatch --help`."""
    text = run_agent("--help").stdout
    collectors = {}
    for m in re.finditer(r"--collector\.([a-z_]+),--no-collector\.\1\{false\}\s+Enable the \1 collector "
                         r"\(default: (enabled|disabled)\)", text):
        collectors[m.group(1)] = (m.group(2) == "enabled", [])
    for m in re.finditer(r"^\s+--collector\.([a-z_]+)\.([a-z0-9.-]+)", text, re.M):
        collectors[m.group(1)][1].append(m.group(2))
    return collectors


class CollectorTableTest(unittest.TestCase):
    def test_collectors_md_lists_every_collector_with_its_default_and_options(self):
        collectors = registered_collectors()
        self.assertGreaterEqual(len(collectors), 20)
        with open(os.path.join(SOURCE_DIR, "docs", "collectors.md")) as f:
            rows = {m.group(1): (m.group(2), line) for line in f
                    for m in [re.match(r"^\| `([a-z_]+)` \| (on|off) \|", line)] if m}
        self.assertEqual(sorted(rows), sorted(collectors))
        # The last column is the collector's measured cost (bench/collector_costs.py --write).
        cost = r"(<?\d+(\.\d+)? (µs|ms)|no data)"
        unmeasured = [n for n, (_, line) in rows.items()
                      if not re.search(r"\| %s / %s \|\s*$" % (cost, cost), line)]
        self.assertEqual(unmeasured, [], "rows without a CPU per scrape figure")
        for name, (enabled, options) in collectors.items():
            with self.subTest(collector=name):
                self.assertEqual(rows[name][0], "on" if enabled else "off")
                for option in options:
                    self.assertIn(option, rows[name][1], "option %s of %s is not documented" % (option, name))


class PackagedConfigTest(unittest.TestCase):
    def test_conffile_sets_only_systemd_and_debians_textfile_directory_and_loads(self):
        with open(CONFFILE) as f:
            text = f.read()
        settings = [l.split("#")[0].rstrip() for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
        # Only what the package changes on purpose: a default it listed would change with the next
        # version and make every upgrade ask about the edited conffile.
        self.assertEqual(settings, ["collectors:", "  systemd:", "    enabled: true", "    enable_restarts_metrics: true",
                                    "  textfile:", "    directory: /var/lib/prometheus/node-exporter"])
        res = run_agent("--config.check", "--config.file=" + CONFFILE)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("/usr/share/doc/hostwatch/examples/hostwatch.yml", text)

    def test_conffile_examples_load_when_uncommented(self):
        import tempfile
        with open(CONFFILE) as f:
            example = f.read().split("# Examples: uncomment and adapt.\n#\n", 1)[1]
        # The package's own settings stay; the commented examples are uncommented in place.
        body = "\n".join(l if not l.startswith("#") else l[2:] for l in example.splitlines()
                         if (l.startswith("# ") and not l[2:].lstrip().startswith("#")) or
                         (l.strip() and not l.lstrip().startswith("#")))
        self.assertIn("collectors:", body)
        self.assertIn("http_checks:", body)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "example.yml")
            with open(path, "w") as f:
                f.write(body + "\n")
            os.makedirs(os.path.join(d, "textfile"))
            res = run_agent("--config.check", "--config.file=" + path)
        self.assertEqual(res.returncode, 0, res.stderr + "\n" + body)


class ScrapeSnippetTest(unittest.TestCase):
    def test_job_is_the_one_the_node_mixin_selects(self):
        with open(os.path.join(SOURCE_DIR, "packaging", "prometheus", "hostwatch-scrape.yml")) as f:
            jobs = re.findall(r"(?m)^\s+- job_name: (\S+)$", f.read())
        self.assertEqual(jobs, ["node"])
        if os.path.exists(MIXIN_FILE):
            selectors = {m for _, _, _, expr in parse_mixin_file() for m in re.findall(r'job="([^"]*)"', expr)}
            self.assertEqual(selectors, {"node"})


def dep5_paragraphs(text):
    """[{field: value}] of a DEP-5 file; continuation lines are kept with their leading space."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        fields, last = {}, None
        for line in block.splitlines():
            if line.startswith((" ", "\t")):
                if last is None:
                    raise AssertionError("continuation line before any field: %r" % line)
                fields[last] += "\n" + line
            else:
                m = re.match(r"^([A-Za-z-]+):\s?(.*)$", line)
                if not m:
                    raise AssertionError("not a field: %r" % line)
                last = m.group(1)
                fields[last] = m.group(2)
        paragraphs.append(fields)
    return paragraphs


def words(text):
    return re.sub(r"[\s>]+", " ", text).strip()


class CopyrightTest(unittest.TestCase):
    def setUp(self):
        with open(COPYRIGHT) as f:
            self.text = f.read()
        self.paragraphs = dep5_paragraphs(self.text)

    def test_machine_readable_with_a_licence_for_every_file_paragraph(self):
        header = self.paragraphs[0]
        self.assertEqual(header["Format"], "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
        self.assertEqual(header["Upstream-Name"], "hostwatch")
        files = [p for p in self.paragraphs if "Files" in p]
        texts = {p["License"].split("\n")[0]: p["License"] for p in self.paragraphs if set(p) == {"License"}}
        self.assertEqual(files[0]["Files"], "*")
        self.assertEqual(files[0]["License"], "Apache-2.0")
        for p in files:
            self.assertTrue(p.get("Copyright"), p)
            self.assertIn(p["License"], texts, "no stand-alone text for licence %s" % p["License"])
        self.assertIn("/usr/share/common-licenses/Apache-2.0", texts["Apache-2.0"])
        self.assertNotIn("not chosen", self.text)

    def test_civetweb_mit_notice_as_civetweb_words_it(self):
        tarballs = glob.glob(os.path.join(CIVETWEB_SOURCE, "civetweb_1.15*.orig.tar.xz"))
        if not tarballs:
            self.skipTest("CivetWeb's source is not in %s (packaging/install-deps.sh fetches it)" % CIVETWEB_SOURCE)
        with lzma.open(tarballs[0]) as xz, tarfile.open(fileobj=xz) as tar:
            licence = tar.extractfile("civetweb-1.15/LICENSE.md").read().decode()
        civetweb = licence.split("Civetweb License", 1)[1].split("Lua License", 1)[0]
        permission = civetweb[civetweb.index("Permission is hereby granted"):civetweb.index("THE SOFTWARE.") + 13]
        expat = [p for p in self.paragraphs if set(p) == {"License"} and p["License"].startswith("Expat")][0]
        self.assertIn(words(permission.replace(" .", "")), words(expat["License"].replace("\n .", "")))
        civetweb_files = [p for p in self.paragraphs if p.get("Files", "").startswith("third_party/civetweb-src/*")
                          and p["License"] == "Expat"][0]
        for holder in ("The CivetWeb developers", "Sergey Lyubka", "No Face Press, LLC (Thomas Davis)",
                       "F-Secure Corporation"):
            self.assertIn(holder, civetweb_files["Copyright"])

    def test_docs_licence_is_the_apache_licence(self):
        with open(os.path.join(SOURCE_DIR, "docs", "LICENSE")) as f:
            text = f.read()
        self.assertIn("Apache License\n                           Version 2.0, January 2004", text)
        common = "/usr/share/common-licenses/Apache-2.0"
        if os.path.exists(common):
            with open(common) as f:
                self.assertEqual(words(text), words(f.read()))


if __name__ == "__main__":
    unittest.main()
