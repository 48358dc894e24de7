"""The .deb: built by cpack from this build tree, checked as dpkg, lintian and
systemd see it, then installed, run, upgraded, removed and purged for real,
twice: once in a root with no running systemd (containers, chroots) and once
under a real systemd booted for the test.

Both installs happen on an overlay of the host's own / in private
namespaces, so dpkg, adduser and the maintainer scripts run unmodified
against the host's real package database and /etc while every write lands in
a scratch directory: the host's files are never changed, concurrent test
runs cannot collide, and after the purge the scratch directory is exactly the
list of what the package left behind. The tests that need root and mount
namespaces skip, saying why, where they are not available.
"""
import glob
import os
import re
import shutil
import socket
import tempfile
import time
import unittest
import urllib.request

from hostwatch_testutil import SOURCE_DIR, Process, check_metrics_with_promtool, parse_samples, wait_for
from throwaway_root import BootedSystemd, ThrowawayRoot, can_make_throwaway_root, run
from unit_sandbox import UnitSandboxChecks

BUILD_DIR = os.environ.get("HOSTWATCH_BINARY_DIR", "")

UNIT = "/lib/systemd/system/hostwatch.service"
CONFFILES = ["/etc/hostwatch/hostwatch.yml", "/etc/default/hostwatch"]
# Every file the package must ship (paths as dpkg-deb lists them).
REQUIRED_FILES = {
    "./usr/bin/hostwatch": "-rwxr-xr-x",
    "." + UNIT: "-rw-r--r--",
    "./etc/hostwatch/hostwatch.yml": "-rw-r--r--",
    "./etc/default/hostwatch": "-rw-------",  # may hold credentials; only systemd (root) reads it
    "./usr/share/hostwatch/prometheus/hostwatch-scrape.yml": "-rw-r--r--",
    "./usr/share/doc/hostwatch/README.md.gz": "-rw-r--r--",
    "./usr/share/doc/hostwatch/copyright": "-rw-r--r--",
    "./usr/share/doc/hostwatch/changelog.gz": "-rw-r--r--",
    "./usr/share/man/man1/hostwatch.1.gz": "-rw-r--r--",
}
ALLOWED_PREFIXES = ("./usr/bin/", "./lib/systemd/system/", "./etc/hostwatch/", "./etc/default/",
                    "./usr/share/hostwatch/", "./usr/share/doc/hostwatch/", "./usr/share/man/man1/hostwatch.1.gz")
# Directories the package may own because they hold its files.
ALLOWED_DIRS = {"./", "./usr/", "./usr/bin/", "./usr/share/", "./usr/share/doc/", "./usr/share/man/",
                "./usr/share/man/man1/", "./etc/", "./lib/",
                "./lib/systemd/", "./etc/default/", "./var/", "./var/lib/", "./var/lib/prometheus/",
                "./var/lib/prometheus/node-exporter/"}


def need(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise unittest.SkipTest("needs %s (packaging/install-deps.sh installs them)" % ", ".join(missing))


def project_version():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
        return re.search(r"project\(hostwatch VERSION ([0-9.]+)", f.read()).group(1)


class Package:
    """The .deb built once for all tests in this file."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="hostwatch-pkg-")
        out = os.path.join(self.tmp, "out")
        start = time.monotonic()
        # -B keeps cpack's staging out of the build tree.
        run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"), "-B", out],
            timeout=180, cwd=BUILD_DIR)
        self.build_seconds = time.monotonic() - start
        debs = glob.glob(os.path.join(out, "hostwatch_*.deb"))
        if len(debs) != 1:
            raise AssertionError("expected one hostwatch_*.deb, got %r" % debs)
        self.path = debs[0]
        self.control = os.path.join(self.tmp, "control")
        run(["dpkg-deb", "-e", self.path, self.control])
        self.tree = os.path.join(self.tmp, "tree")
        run(["dpkg-deb", "-x", self.path, self.tree])
        # dpkg-deb -c lines: mode owner/group size date time path [-> target]
        self.entries = {}
        for line in run(["dpkg-deb", "-c", self.path]).stdout.splitlines():
            parts = line.split(None, 5)
            self.entries[parts[5].split(" -> ")[0]] = (parts[0], parts[1])

    def field(self, name):
        return run(["dpkg-deb", "-f", self.path, name]).stdout.strip()

    def member(self, path):
        with open(self.tree + path) as f:
            return f.read()

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


_package = None


def setUpModule():
    global _package
    if not BUILD_DIR or not os.path.exists(os.path.join(BUILD_DIR, "CPackConfig.cmake")):
        raise unittest.SkipTest("HOSTWATCH_BINARY_DIR has no CPackConfig.cmake; run through ctest")
    need("cpack", "dpkg-deb", "dpkg-shlibdeps", "file")
    _package = Package()
    print("package built in %.1fs: %s (%d bytes)" % (_package.build_seconds, os.path.basename(_package.path),
                                                     os.path.getsize(_package.path)))


def tearDownModule():
    if _package:
        _package.cleanup()


class PackageContentsTest(unittest.TestCase):
    def test_files_follow_debian_layout_with_root_ownership(self):
        for path, mode in REQUIRED_FILES.items():
            self.assertIn(path, _package.entries)
            self.assertEqual(_package.entries[path][0], mode, path)
        for path, (mode, owner) in _package.entries.items():
            self.assertEqual(owner, "root/root", path)
            if path.endswith("/"):
                self.assertTrue(path in ALLOWED_DIRS or path.startswith(ALLOWED_PREFIXES), path)
            else:
                self.assertTrue(path.startswith(ALLOWED_PREFIXES), "unexpected file " + path)

    def test_every_dashboard_and_rule_file_is_shipped(self):
        shipped = [p for p in _package.entries if p.startswith("./usr/share/hostwatch/dashboards/")]
        for src in glob.glob(os.path.join(SOURCE_DIR, "dashboards", "*")):
            name = os.path.basename(src)
            if name.endswith((".json", ".yml", ".yaml")):
                self.assertIn("./usr/share/hostwatch/dashboards/" + name, shipped)
        if os.path.exists(os.path.join(SOURCE_DIR, "dashboards", "alerts.yml")):
            self.assertIn("./usr/share/hostwatch/prometheus/alerts.yml", _package.entries)

    def test_scrape_snippet_is_a_valid_prometheus_config(self):
        tool = shutil.which("promtool")
        if tool is None:
            self.skipTest("promtool not installed")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "prometheus.yml")
            with open(path, "w") as f:
                f.write(_package.member("/usr/share/hostwatch/prometheus/hostwatch-scrape.yml"))
            run([tool, "check", "config", "--syntax-only", path])

    def test_unit_runs_installed_binary_with_defaults_file(self):
        unit = _package.member(UNIT)
        for line in ["Type=notify", "User=hostwatch", "ExecStart=/usr/bin/hostwatch $HOSTWATCH_OPTS",
                     "EnvironmentFile=-/etc/default/hostwatch", "Restart=on-failure", "ProtectSystem=strict",
                     "ProtectHome=read-only", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=",
                     "SystemCallFilter=@system-service"]:
            self.assertIn(line, unit.splitlines())
        self.assertRegex(unit, r"(?m)^WatchdogSec=\d+s$")
        # Reload validates the same flags and file first; the SIGHUP only follows success.
        self.assertEqual(re.findall(r"(?m)^ExecReload=(.*)$", unit),
                         ["/usr/bin/hostwatch --config.check $HOSTWATCH_OPTS", "/bin/kill -HUP $MAINPID"])
        docs = re.search(r"(?m)^Documentation=(.*)$", unit).group(1).split()
        self.assertEqual(docs, ["man:hostwatch(1)", "file:/usr/share/doc/hostwatch/README.md.gz"])
        self.assertLessEqual({"./usr/share/man/man1/hostwatch.1.gz", "." + docs[1][5:]}, set(REQUIRED_FILES))

    def test_control_fields_and_shlibs_depends(self):
        self.assertEqual(_package.field("Package"), "hostwatch")
        self.assertEqual(_package.field("Version"), project_version())
        self.assertEqual(_package.field("Architecture"), run(["dpkg", "--print-architecture"]).stdout.strip())
        depends = [d.strip() for d in _package.field("Depends").split(",")]
        names = [d.split()[0] for d in depends]
        self.assertIn("adduser", names)
        # From dpkg-shlibdeps on the binary: the libraries it really links.
        for lib in ["libc6", "libssl3"]:
            self.assertIn(lib, names)
        # Loaded with dlopen() on the first HTTP check, so named in packaging/cpack.cmake, once.
        self.assertEqual(names.count("libcurl4"), 1, depends)
        self.assertIn("libcurl4 (>= 7.88.0)", depends)
        # Loaded with dlopen() under systemd only (agent/systemd_notify.cpp): named there too, once.
        self.assertEqual(names.count("libsystemd0"), 1, depends)
        # CivetWeb is built from Debian's source into the binary (IPv6 + OpenSSL 3 TLS).
        self.assertNotIn("libcivetweb1", names)
        for name in names:  # every dependency is a real package (this machine has them all)
            run(["dpkg-query", "-W", name])

    def test_conffiles_and_maintainer_scripts(self):
        with open(os.path.join(_package.control, "conffiles")) as f:
            self.assertEqual(f.read().split(), CONFFILES)
        for script in ["postinst", "prerm", "postrm"]:
            path = os.path.join(_package.control, script)
            self.assertTrue(os.access(path, os.X_OK), script)
            run(["sh", "-n", path])  # dash, like dpkg's /bin/sh
            with open(path) as f:
                text = f.read()
            self.assertTrue(text.startswith("#!/bin/sh\n"), script)
            # Never start or stop anything unless systemd is the running init.
            for line in text.splitlines():
                if re.search(r"\b(deb-systemd-invoke|systemctl)\b", line) and not line.lstrip().startswith("#"):
                    self.assertIn("/run/systemd/system", text, script)

    def test_lintian_reports_no_errors(self):
        need("lintian")
        res = run(["lintian", "--no-tag-display-limit", _package.path], timeout=180, check=False)
        tags = [l for l in res.stdout.splitlines() if re.match(r"^[EWI]: ", l)]
        errors = [l for l in tags if l.startswith("E: ")]
        print("\nlintian: %d errors, %d warnings" % (len(errors), sum(l.startswith("W: ") for l in tags)))
        for line in tags:
            print("  " + line)
        self.assertEqual(errors, [], res.stdout + res.stderr)


class SourceInstallTest(unittest.TestCase):
    """`cmake --install` (the install target) lays files out like the .deb."""

    def install(self, destdir):
        env = dict(os.environ, DESTDIR=destdir)
        # --prefix /usr: build trees configured before /usr became the
        # default still cache /usr/local.
        return run(["cmake", "--install", BUILD_DIR, "--prefix", "/usr"], env=env, timeout=120).stdout

    def test_same_files_as_the_package_and_config_is_kept_on_reinstall(self):
        with tempfile.TemporaryDirectory() as stage:
            self.install(stage)
            installed = set()
            for dirpath, _, filenames in os.walk(stage):
                for name in filenames:
                    installed.add("./" + os.path.relpath(os.path.join(dirpath, name), stage))
            packaged = {p for p in _package.entries if not p.endswith("/")}
            self.assertEqual(installed, packaged)
            self.assertEqual(oct(os.stat(stage + "/etc/default/hostwatch").st_mode & 0o777), "0o600")
            with open(stage + "/etc/hostwatch/hostwatch.yml", "a") as f:
                f.write("# local edit\n")
            out = self.install(stage)
            self.assertIn("Keeping existing", out)
            with open(stage + "/etc/hostwatch/hostwatch.yml") as f:
                self.assertIn("# local edit", f.read())


class InstalledAgent(Process):
    """hostwatch started from the installed unit's ExecStart, the way systemd
    would: /etc/default/hostwatch read as root, then run as the hostwatch user."""

    def __init__(self, root, exec_start, notify_name):
        # $HOSTWATCH_OPTS is expanded from the defaults file like systemd does
        # (unquoted: split on whitespace). Port 0 so tests never collide.
        script = ("set -a; [ -r /etc/default/hostwatch ] && . /etc/default/hostwatch; set +a; "
                  "exec setpriv --reuid=hostwatch --regid=hostwatch --init-groups --inh-caps=-all "
                  + exec_start + " --web.listen-address=127.0.0.1:0")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NOTIFY_SOCKET": "@" + notify_name}
        super().__init__(root.command("sh", "-c", script), name="installed agent", env=env,
                         ready_line=self._started_line, wait=False)

    def _started_line(self, line):
        m = re.search(r'msg="hostwatch started".*address=127\.0\.0\.1:(\d+)', line)
        if m:
            self.port = int(m.group(1))
        return m is not None

    def get(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=10) as resp:
            return resp.status, resp.read().decode()


class InstallLifecycleTest(unittest.TestCase):
    """Install, run, upgrade, remove and purge, in that order, in one root."""

    @classmethod
    def setUpClass(cls):
        reason = can_make_throwaway_root()
        if reason:
            raise unittest.SkipTest("install test skipped: " + reason)
        if run(["dpkg-query", "-W", "-f=${Status}", "hostwatch"], check=False).stdout.startswith("install"):
            raise unittest.SkipTest("hostwatch is installed on this host; the install test needs a clean base")
        if run(["getent", "passwd", "hostwatch"], check=False).returncode == 0:
            raise unittest.SkipTest("a hostwatch user exists on this host; the install test needs a clean base")
        cls.root = ThrowawayRoot()

    @classmethod
    def tearDownClass(cls):
        cls.root.close()

    def test_lifecycle(self):
        root = self.root
        root.copy_in(_package.path, "/tmp/hostwatch.deb")
        t0 = time.monotonic()

        # Install, with no running systemd: user created, unit enabled, nothing started.
        res = root.run("dpkg", "-i", "/tmp/hostwatch.deb")
        self.assertNotIn("warning", res.stderr.lower(), res.stderr)
        pw = root.run("getent", "passwd", "hostwatch").stdout.strip().split(":")
        self.assertLess(int(pw[2]), 1000, "not a system uid: %r" % pw)
        self.assertEqual(pw[5:], ["/var/lib/hostwatch", "/usr/sbin/nologin"])
        root.run("getent", "group", "hostwatch")
        self.assertEqual(root.run("stat", "-c", "%U:%G %a", "/var/lib/hostwatch").stdout.split(),
                         ["hostwatch:hostwatch", "750"])
        self.assertEqual(root.run("stat", "-c", "%U:%G %a", "/etc/hostwatch/hostwatch.yml").stdout.split(),
                         ["root:hostwatch", "640"])
        self.assertEqual(os.readlink(root.path("/etc/systemd/system/multi-user.target.wants/hostwatch.service")),
                         UNIT)
        self.verify_unit_and_report_security()

        # The installed binary with the installed config, as the service user.
        res = root.run("setpriv", "--reuid=hostwatch", "--regid=hostwatch", "--init-groups", "/usr/bin/hostwatch",
                       "--config.file=/etc/hostwatch/hostwatch.yml", "--config.check")
        self.assertIn("configuration OK", res.stdout)
        self.run_installed_service()

        # Upgrade (reinstall over itself): local edits to conffiles survive,
        # the user is not duplicated, the enablement stays.
        with open(root.path("/etc/default/hostwatch"), "a") as f:
            f.write("# local edit\n")
        root.run("dpkg", "-i", "/tmp/hostwatch.deb")
        self.assertIn("# local edit", root.read("/etc/default/hostwatch"))
        self.assertEqual(root.read("/etc/passwd").count("\nhostwatch:"), 1)
        self.assertFalse(root.exists("/etc/default/hostwatch.dpkg-dist"))
        self.assertTrue(root.exists("/etc/systemd/system/multi-user.target.wants/hostwatch.service"))

        # Remove: program gone, configuration and user kept.
        root.run("dpkg", "-r", "hostwatch")
        self.assertFalse(root.exists("/usr/bin/hostwatch"))
        self.assertFalse(root.exists(UNIT))
        self.assertTrue(root.exists("/etc/hostwatch/hostwatch.yml"))
        self.assertIn("# local edit", root.read("/etc/default/hostwatch"))
        root.run("getent", "passwd", "hostwatch")
        self.assertEqual(root.run("dpkg-query", "-W", "-f=${Status}", "hostwatch").stdout,
                         "deinstall ok config-files")

        # Purge: nothing of hostwatch is left anywhere.
        root.run("dpkg", "--purge", "hostwatch")
        self.assertNotEqual(root.run("getent", "passwd", "hostwatch", check=False).returncode, 0)
        self.assertNotEqual(root.run("getent", "group", "hostwatch", check=False).returncode, 0)
        self.assertEqual(root.run("dpkg-statoverride", "--list", "/etc/hostwatch/*", check=False).stdout, "")
        self.assertNotEqual(root.run("dpkg-query", "-W", "hostwatch", check=False).returncode, 0)
        print("\ninstall, run, upgrade, remove and purge took %.1fs" % (time.monotonic() - t0))
        self.assert_nothing_left()

    def verify_unit_and_report_security(self):
        root = self.root
        if not root.exists("/usr/bin/systemd-analyze"):
            print("\nsystemd-analyze not installed: unit verification skipped")
            return
        res = root.run("systemd-analyze", "verify", UNIT, check=False)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(res.stderr.strip(), "", "systemd-analyze verify complained")
        res = root.run("systemd-analyze", "security", "--offline=true", "--no-pager", UNIT, check=False)
        m = re.search(r"Overall exposure level for hostwatch\.service: ([0-9.]+) (\w+)", res.stdout)
        self.assertIsNotNone(m, res.stdout + res.stderr)
        print("\nsystemd-analyze security: exposure %s %s" % (m.group(1), m.group(2)))
        # 2.1 since timex may read the clock state (issue 16); fail if hardening is lost by accident.
        self.assertLessEqual(float(m.group(1)), 2.5)

    def run_installed_service(self):
        unit = self.root.read(UNIT)
        exec_start = re.search(r"(?m)^ExecStart=(.*)$", unit).group(1)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify_name = "hostwatch-pkg-test-%d" % os.getpid()
        notify.bind("\0" + notify_name)
        notify.settimeout(10)
        agent = InstalledAgent(self.root, exec_start, notify_name)
        try:
            self.assertTrue(agent.wait_ready(15), "installed agent did not start:\n" + agent.log())
            msg = notify.recv(4096).decode()
            self.assertIn("READY=1", msg.split("\n"))  # Type=notify will see the service come up
            status, text = agent.get("/metrics")
            self.assertEqual(status, 200)
            samples = parse_samples(text)
            self.assertTrue(any(s.startswith("node_cpu_seconds_total{") for s in samples), text[:500])
            self.assertTrue(any(s.startswith("hostwatch_build_info{") for s in samples))
            self.assertEqual(samples.get('node_scrape_collector_success{collector="cpu"}'), 1.0, text)
            check_metrics_with_promtool(self, text)
            # The process really runs as the hostwatch user (every exec in
            # the chain keeps the pid, so proc.pid is the agent itself).
            uid = self.root.run("id", "-u", "hostwatch").stdout.strip()
            with open("/proc/%d/status" % agent.proc.pid) as f:
                uids = re.search(r"(?m)^Uid:\s+(.*)$", f.read()).group(1).split()
            self.assertEqual(set(uids), {uid})
        finally:
            self.assertEqual(agent.stop(), 0, agent.log())
            notify.close()

    def assert_nothing_left(self):
        """Every file the whole lifecycle wrote is in the overlay's upper
        directory. After the purge none of it may belong to hostwatch, and the
        account databases must be back to the host's."""
        leftovers = []
        for dirpath, dirnames, filenames in os.walk(self.root.upper):
            for name in dirnames + filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), self.root.upper)
                if "hostwatch" in rel and not rel.startswith("var/cache/man/"):  # man-db's, from verify's `man`
                    leftovers.append(rel)
        self.assertEqual(leftovers, [], "purge left these behind")
        for db in ["etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "var/lib/dpkg/statoverride"]:
            changed = os.path.join(self.root.upper, db)
            if os.path.exists(changed):
                with open(changed) as a, open("/" + db) as b:
                    self.assertEqual(a.read(), b.read(), db + " differs from the host's after purge")
        # Nothing hostwatch-related in the systemd enablement state either.
        state_dir = os.path.join(self.root.upper, "var/lib/systemd/deb-systemd-helper-enabled")
        for dirpath, _, filenames in os.walk(state_dir):
            for name in filenames:
                with open(os.path.join(dirpath, name)) as f:
                    self.assertNotIn("hostwatch", f.read(), name)


class SystemdServiceTest(UnitSandboxChecks, unittest.TestCase):
    """The package under a real, running systemd: the postinst starts the service, Type=notify
    readiness, reload, watchdog, collectors and a check in the sandbox (unit_sandbox), stop, purge."""

    @classmethod
    def setUpClass(cls):
        reason = can_make_throwaway_root()
        if reason:
            raise unittest.SkipTest("systemd test skipped: " + reason)
        if not os.path.exists("/lib/systemd/systemd"):
            raise unittest.SkipTest("systemd test skipped: systemd is not installed")
        t0 = time.monotonic()
        cls.systemd = BootedSystemd()
        print("\nsystemd booted in namespaces: %s after %.1fs" % (cls.systemd.state, time.monotonic() - t0))
        if not cls.systemd.booted:
            log = cls.systemd.boot_log()
            cls.systemd.close()
            raise unittest.SkipTest("systemd test skipped: systemd did not boot in a namespace here (state %r):\n%s"
                                    % (cls.systemd.state, log))

    @classmethod
    def tearDownClass(cls):
        t0 = time.monotonic()
        cls.systemd.close()
        print("systemd namespaces torn down in %.1fs" % (time.monotonic() - t0))

    def wait_for(self, predicate, timeout=10):
        return wait_for(predicate, timeout)

    def test_service_lifecycle_under_systemd(self):
        if os.environ.get("HOSTWATCH_SANITIZER"):
            # Under ASan the stopped unit ends "failed", not "inactive": most likely LeakSanitizer's
            # exit check, which needs ptrace, denied by the unit's SystemCallFilter=@system-service
            # (the unit does not get the test's sanitizer options either). tests/sanitizers.sh
            # checks the same binary outside systemd.
            self.skipTest("the hardened unit cannot run a sanitizer build")
        sd = self.systemd
        shutil.copy(_package.path, sd.path("/var/tmp/hostwatch.deb"))
        t0 = time.monotonic()
        sd.run("dpkg", "-i", "/var/tmp/hostwatch.deb")

        # Started by the postinst; "active" for Type=notify means READY=1 arrived.
        self.assertEqual(sd.show("hostwatch", "ActiveState"), "active", sd.run(
            "journalctl", "-u", "hostwatch", "--no-pager", check=False).stdout)
        self.assertEqual(sd.show("hostwatch", "UnitFileState"), "enabled")
        self.assertEqual(sd.show("hostwatch", "StatusText"), "serving on :9555")
        pid = sd.show("hostwatch", "MainPID")
        self.assertEqual(sd.run("ps", "-o", "user=", "-p", pid).stdout.strip(), "hostwatch")
        text = sd.http_get("http://127.0.0.1:9555/metrics")
        samples = parse_samples(text)
        self.assertEqual(samples.get('node_scrape_collector_success{collector="cpu"}'), 1.0, text[:1000])
        self.assertIn("node_load1", samples)

        # Reload (ExecReload: --config.check, then SIGHUP): same process, configuration re-read;
        # a broken file fails the reload and changes nothing.
        self.assert_reload_rereads_the_config_and_refuses_a_broken_one(pid, samples)

        # Watchdog: with a 2s WatchdogSec the agent must keep pinging, or
        # systemd kills and restarts it.
        sd.run("sh", "-c", "mkdir -p /etc/systemd/system/hostwatch.service.d && printf '[Service]\\nWatchdogSec=2s\\n'"
               " > /etc/systemd/system/hostwatch.service.d/watchdog.conf && systemctl daemon-reload"
               " && systemctl restart hostwatch")
        first_ping = sd.show("hostwatch", "WatchdogTimestampMonotonic")
        time.sleep(3.5)
        self.assertEqual(sd.show("hostwatch", "ActiveState"), "active")
        self.assertEqual(sd.show("hostwatch", "NRestarts"), "0")
        self.assertNotEqual(sd.show("hostwatch", "WatchdogTimestampMonotonic"), first_ping)
        sd.run("sh", "-c", "rm -r /etc/systemd/system/hostwatch.service.d && systemctl daemon-reload")

        self.assert_collectors_and_a_check_work_under_the_unit()

        # Stop: SIGTERM, exit 0, a clean "inactive".
        sd.run("systemctl", "stop", "hostwatch")
        self.assertEqual(sd.show("hostwatch", "ActiveState"), "inactive")
        self.assertEqual(sd.show("hostwatch", "Result"), "success")
        self.assertEqual(sd.show("hostwatch", "ExecMainStatus"), "0")
        sd.run("systemctl", "start", "hostwatch")

        res = sd.run("systemd-analyze", "security", "--no-pager", "hostwatch", check=False)
        m = re.search(r"Overall exposure level for hostwatch\.service: ([0-9.]+) (\w+)", res.stdout)
        self.assertIsNotNone(m, res.stdout + res.stderr)
        print("\nsystemd-analyze security (running unit): exposure %s %s" % (m.group(1), m.group(2)))

        # Purge stops it (prerm), and the unit and user are gone.
        sd.run("dpkg", "--purge", "hostwatch")
        self.assertNotEqual(sd.run("getent", "passwd", "hostwatch", check=False).returncode, 0)
        self.assertEqual(sd.show("hostwatch", "LoadState"), "not-found")
        self.assertEqual(sd.run("pgrep", "-x", "hostwatch", check=False).returncode, 1, "still running")
        print("\nunder systemd: install, run, reload, watchdog, stop, purge took %.1fs" % (time.monotonic() - t0))


if __name__ == "__main__":
    unittest.main()
