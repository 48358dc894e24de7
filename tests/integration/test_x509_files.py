"""x509_files: certificate files on disk (issue 19), on the real binary with certificates made by the
openssl command line at test time: ssl_exporter's file-prober series with its labels, values equal to
what `openssl x509 -startdate/-enddate` prints, PEM bundles, DER, a key beside a certificate, and
files that cannot be used (garbage, empty, a FIFO, a dangling link, an unreadable file) shown and
counted once per change, never fatal. A file is parsed again only when it changed, a bad reload
keeps the running list, and a pattern on a hung mount does not hang scrapes."""
import calendar
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

from hostwatch_testutil import (Agent, TempDir, check_metrics_with_promtool, parse_samples, require_binary, sample,
                                sanitizer)

CA_CONFIG = """[ca]
default_ca = ca_default
[ca_default]
database = {dir}/index.txt
new_certs_dir = {dir}/issued
serial = {dir}/serial
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
[policy_any]
organizationalUnitName = optional
commonName = supplied
"""


def openssl(*args, stdin=None):
    res = subprocess.run(("openssl",) + args, capture_output=True, text=True, input=stdin, timeout=60)
    if res.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), res.stderr))
    return res.stdout


def openssl_date(path, which, der=False):
    """notBefore/notAfter of a certificate as unix seconds, read by openssl itself."""
    out = openssl("x509", "-in", path, "-noout", "-" + which, *(("-inform", "DER") if der else ()))
    text = out.strip().split("=", 1)[1]  # "Jan  1 00:00:00 2041 GMT"
    return calendar.timegm(time.strptime(re.sub(" +", " ", text), "%b %d %H:%M:%S %Y GMT"))


def openssl_serial(path):
    return str(int(openssl("x509", "-in", path, "-noout", "-serial").strip().split("=", 1)[1], 16))


class CertMaker:
    """A throwaway CA (CN "hostwatch test CA") that issues leaf certificates with `openssl ca`, which
    takes explicit start and end dates (expired and not-yet-valid ones too)."""

    def __init__(self, workdir):
        self.dir = workdir
        os.makedirs(os.path.join(workdir, "issued"))
        open(os.path.join(workdir, "index.txt"), "w").close()
        with open(os.path.join(workdir, "ca.cnf"), "w") as f:
            f.write(CA_CONFIG.format(dir=workdir))
        self.ca_key = os.path.join(workdir, "ca.key")
        self.ca_cert = os.path.join(workdir, "ca.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                self.ca_key, "-out", self.ca_cert, "-days", "3650", "-subj", "/CN=hostwatch test CA")

    def issue(self, out, serial_hex, subject, start, end, san=None):
        """Writes a PEM certificate to out; returns its key's path."""
        key = out + ".key"
        csr = out + ".csr"
        extra = ("-addext", "subjectAltName=" + san) if san else ()
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                "-out", csr, "-subj", subject, *extra)
        with open(os.path.join(self.dir, "serial"), "w") as f:
            f.write(serial_hex + "\n")
        openssl("ca", "-batch", "-config", os.path.join(self.dir, "ca.cnf"), "-keyfile", self.ca_key, "-cert",
                self.ca_cert, "-in", csr, "-out", out, "-notext", "-preserveDN", "-startdate", start, "-enddate", end)
        return key


def series(name, **labels):
    return name + "{" + ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)) + "}"


def cert_labels(file, serial, cn, issuer_cn="hostwatch test CA", dnsnames="", ips="", emails="", ou=""):
    return dict(file=file, serial_no=serial, issuer_cn=issuer_cn, cn=cn, dnsnames=dnsnames, ips=ips, emails=emails,
                ou=ou)


def file_series(text, name, file):
    return {s: v for s, v in parse_samples(text).items() if s.startswith(name + "{") and 'file="%s"' % file in s}


class X509FilesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        if not shutil.which("openssl"):
            raise unittest.SkipTest("the openssl command is not installed")
        cls.tmp = TempDir()
        cls.ca = CertMaker(os.path.join(cls.tmp.path, "ca"))
        cls.src = os.path.join(cls.tmp.path, "src")  # certificates as issued; tests copy what they need
        os.makedirs(cls.src)
        s = lambda name: os.path.join(cls.src, name)  # noqa: E731
        cls.valid_key = cls.ca.issue(s("valid.pem"), "0123456789ABCDEF0123", "/OU=Ops/OU=Web/CN=valid.example",
                                     "20240101000000Z", "20391231235959Z",
                                     "DNS:valid.example,DNS:www.valid.example,IP:127.0.0.1,IP:::1,"
                                     "email:ops@example.org")
        cls.ca.issue(s("expired.pem"), "02", "/CN=expired.example", "20200101000000Z", "20200201000000Z")
        cls.ca.issue(s("future.pem"), "03", "/CN=future.example", "20400101000000Z", "20410101000000Z")
        cls.ca.issue(s("renewed.pem"), "04", "/CN=valid.example", "20250101000000Z", "20450101000000Z")
        for i in (10, 11, 12):
            cls.ca.issue(s("b%d.pem" % i), "%02X" % i, "/CN=bundle-%d.example" % i, "20240101000000Z",
                         "2030%02d01000000Z" % (i - 9))
        openssl("x509", "-in", s("valid.pem"), "-outform", "DER", "-out", s("valid.der"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.dir = os.path.join(self.tmp.path, "watched-%s" % self._testMethodName)
        os.makedirs(self.dir)
        self.addCleanup(shutil.rmtree, self.dir, True)

    def put(self, name, *sources):
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "wb") as out:
            for src in sources:
                with open(src if os.path.isabs(src) else os.path.join(self.src, src), "rb") as f:
                    out.write(f.read())
        os.replace(path + ".tmp", path)  # a new inode, as a certificate renewal writes it
        return path

    def config(self, *patterns, name="hostwatch.yml"):
        return self.tmp.write(os.path.join(os.path.basename(self.dir) + "-cfg", name),
                              "x509_files:\n" + "".join("  - %s\n" % p for p in patterns))

    def test_series_labels_and_values_as_openssl_reads_them(self):
        valid = self.put("valid.pem", "valid.pem")
        expired = self.put("expired.pem", "expired.pem")
        future = self.put("future.pem", "future.pem")
        bundle = self.put("bundle.pem", "b10.pem", "b11.pem", "b12.pem")
        der = self.put("valid.der", "valid.der")
        keycert = self.put("keycert.pem", self.valid_key, "valid.pem")
        cfg = self.config(self.dir + "/*.pem", self.dir + "/*.der")
        with Agent("--config.file=" + cfg) as agent:
            text = agent.metrics()
        log = agent.log()
        src = lambda n: os.path.join(self.src, n)  # noqa: E731
        serial = openssl_serial(src("valid.pem"))
        self.assertEqual(serial, str(0x0123456789ABCDEF0123))  # decimal, as ssl_exporter writes it
        for path in (valid, der, keycert):
            labels = cert_labels(path, serial, "valid.example", dnsnames=",valid.example,www.valid.example,",
                                 ips=",127.0.0.1,::1,", emails=",ops@example.org,", ou=",Ops,Web,")
            self.assertEqual(sample(text, series("ssl_file_cert_not_after", **labels)),
                             openssl_date(src("valid.pem"), "enddate"), text)
            self.assertEqual(sample(text, series("ssl_file_cert_not_before", **labels)),
                             openssl_date(src("valid.pem"), "startdate"))
        now = time.time()
        exp = sample(text, series("ssl_file_cert_not_after", **cert_labels(expired, "2", "expired.example")))
        self.assertEqual(exp, openssl_date(src("expired.pem"), "enddate"))
        self.assertLess(exp, now)
        fut = sample(text, series("ssl_file_cert_not_before", **cert_labels(future, "3", "future.example")))
        self.assertEqual(fut, openssl_date(src("future.pem"), "startdate"))
        self.assertGreater(fut, now)
        in_bundle = file_series(text, "ssl_file_cert_not_after", bundle)
        self.assertEqual(sorted(in_bundle.values()), [openssl_date(src("b%d.pem" % i), "enddate") for i in (10, 11, 12)])
        self.assertEqual(sample(text, "hostwatch_x509_file_reads_total"), 6)
        self.assertNotIn("hostwatch_x509_file_error{", text)
        # The key beside the certificate is neither exported nor logged.
        with open(self.valid_key) as f:
            key_lines = [l for l in f.read().splitlines() if l and not l.startswith("-----")]
        for line in key_lines:
            self.assertNotIn(line, text + log)
        check_metrics_with_promtool(self, text)

    def test_unusable_files_are_shown_and_counted_once_per_change(self):
        self.put("good.pem", "valid.pem")
        garbage = self.tmp.write(os.path.join(self.dir, "garbage.pem"), "this is not a certificate\n")
        empty = self.tmp.write(os.path.join(self.dir, "empty.pem"), "")
        fifo = os.path.join(self.dir, "fifo.pem")
        os.mkfifo(fifo)
        dangling = os.path.join(self.dir, "dangling.pem")
        os.symlink(os.path.join(self.dir, "nowhere"), dangling)
        missing = self.dir + "/missing-*.crt"
        cfg = self.config(self.dir + "/*.pem", missing)
        with Agent("--config.file=" + cfg) as agent:
            texts = [agent.metrics() for _ in range(3)]
            status, _, page = agent.request("/")
        log = agent.log()
        expected = {garbage: "parse_error", empty: "empty", fifo: "not_regular_file", dangling: "read_error",
                    missing: "no_match"}
        for text in texts:
            for file, reason in expected.items():
                self.assertEqual(sample(text, series("hostwatch_x509_file_error", file=file, reason=reason)), 1, file)
                self.assertEqual(sample(text, series("hostwatch_x509_file_errors_total", reason=reason)), 1, reason)
            self.assertEqual(sample(text, series("hostwatch_x509_file_errors_total", reason="too_large")), 0)
            self.assertEqual(len(file_series(text, "ssl_file_cert_not_after", self.dir + "/good.pem")), 1)
            self.assertEqual(sample(text, "hostwatch_x509_file_reads_total"), 3)  # good, garbage, empty
        for file in expected:
            warnings = [l for l in log.splitlines() if "certificate file problem" in l and file in l]
            self.assertEqual(len(warnings), 1, (file, log))
        self.assertEqual(status, 200)
        page = page.decode()
        self.assertIn("Certificate files", page)
        self.assertRegex(page, re.escape(garbage) + r"</td><td>0</td><td></td><td><span class=\"bad\">parse_error")

    def test_unreadable_file_as_an_unprivileged_agent(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root and setpriv to run the agent as nobody")
        os.chmod(self.dir, 0o755)
        os.chmod(self.tmp.path, 0o755)
        self.put("readable.pem", "valid.pem")
        secret = self.put("secret.pem", "expired.pem")
        os.chmod(secret, 0o600)
        cfg = self.config(self.dir + "/*.pem")
        os.chmod(os.path.dirname(cfg), 0o755)
        os.chmod(cfg, 0o644)
        prefix = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all")
        with Agent("--config.file=" + cfg, prefix=prefix) as agent:
            text = agent.metrics()
        log = agent.log()  # read once the agent has stopped: every line is in
        self.assertEqual(sample(text, series("hostwatch_x509_file_error", file=secret, reason="read_error")), 1)
        self.assertEqual(len(file_series(text, "ssl_file_cert_not_after", self.dir + "/readable.pem")), 1)
        self.assertIn("Permission denied", log)

    def test_rewritten_file_is_read_again_and_unchanged_one_is_not(self):
        cert = self.put("cert.pem", "valid.pem")
        self.put("other.pem", "expired.pem")
        cfg = self.config(self.dir + "/*.pem")
        with Agent("--config.file=" + cfg, "--log.level=debug") as agent:
            first = agent.metrics()
            second = agent.metrics()
            self.put("cert.pem", "renewed.pem")
            third = agent.metrics()
        log = agent.log()
        self.assertEqual(sample(first, "hostwatch_x509_file_reads_total"), 2)
        self.assertEqual(sample(second, "hostwatch_x509_file_reads_total"), 2)
        self.assertEqual(sample(third, "hostwatch_x509_file_reads_total"), 3)
        old = file_series(third, "ssl_file_cert_not_after", cert)
        self.assertEqual(list(old.values()), [openssl_date(os.path.join(self.src, "renewed.pem"), "enddate")])
        self.assertIn('serial_no="4"', list(old)[0])
        reads = [l for l in log.splitlines() if "certificate file read" in l]
        self.assertEqual(len([l for l in reads if "other.pem" in l]), 1, log)
        self.assertEqual(len([l for l in reads if "cert.pem" in l]), 2, log)

    def test_bad_reload_keeps_the_running_list(self):
        valid = self.put("valid.pem", "valid.pem")
        expired = self.put("expired.pem", "expired.pem")
        cfg = self.config(valid)
        with Agent("--config.file=" + cfg, "--web.enable-lifecycle") as agent:
            self.assertEqual(len(file_series(agent.metrics(), "ssl_file_cert_not_after", valid)), 1)
            self.config("relative/path.pem", valid)
            status, _, body = agent.request("/-/reload", method="POST")
            self.assertEqual(status, 500)
            self.assertIn("x509_files[0]: must be an absolute path", body.decode())
            self.assertNotIn("relative/path.pem", body.decode())  # values are never quoted
            text = agent.metrics()
            self.assertEqual(sample(text, "hostwatch_config_last_reload_successful"), 0)
            self.assertEqual(len(file_series(text, "ssl_file_cert_not_after", valid)), 1)
            self.config(expired)
            status, _, _ = agent.request("/-/reload", method="POST")
            self.assertEqual(status, 200)
            text = agent.metrics()
        self.assertEqual(file_series(text, "ssl_file_cert_not_after", valid), {})
        self.assertEqual(len(file_series(text, "ssl_file_cert_not_after", expired)), 1)

    def test_pattern_on_a_hung_mount_does_not_hang_scrapes(self):
        if os.geteuid() != 0 or not os.path.exists("/dev/fuse") or shutil.which("unshare") is None:
            self.skipTest("needs root, /dev/fuse and unshare")
        self.put("good.pem", "valid.pem")
        res = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, __file__, HUNG_CHILD_FLAG,
                              self.dir], capture_output=True, text=True, timeout=180)
        if res.returncode == SKIP:
            self.skipTest(res.stdout.strip())
        if res.returncode != 0 and "unshare" in res.stderr and "Operation not permitted" in res.stderr:
            self.skipTest("unshare not permitted here")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        report = json.loads(res.stdout.strip().splitlines()[-1])
        # Every scrape while the mount hangs is answered, from the last refresh that finished.
        self.assertEqual(len(report["hung"]), 4, report)
        for scrape in report["hung"]:
            self.assertNotIn("error", scrape, report)
            self.assertEqual(scrape["stuck"], 1, report)
            self.assertEqual(scrape["good_certs"], 1, report)
        self.assertEqual(report["before"], {"stuck": 0, "good_certs": 1}, report)
        self.assertEqual(report["status_page"], 200, report)
        # SIGTERM ends it by itself (0), not the SIGKILL that follows when it does not exit. Not under
        # ASan: its leak check at exit stops every thread with ptrace, and the refresh thread blocked
        # in the FUSE call cannot stop until the call returns, so the check waits for the SIGKILL.
        if sanitizer() != "asan":
            self.assertEqual(report["exit_code"], 0, report)


HUNG_CHILD_FLAG = "--x509-hung-mount-child"
SKIP = 77


def hung_mount_child(watched):
    """Runs inside a private mount namespace (as test_filesystem_hung_mount.py): watches watched/*.pem and
    "watched/hung mount"/*.pem, then mounts a FUSE file system whose server never answers (its INIT request
    is never read) on the latter, so that glob and stat there block in the kernel like on a dead NFS server.
    Prints a JSON report."""
    libc = ctypes.CDLL(None, use_errno=True)
    mnt = os.path.join(watched, "hung mount")
    os.mkdir(mnt)
    try:
        fuse_fd = os.open("/dev/fuse", os.O_RDWR)
    except OSError as e:
        print(json.dumps({"skip": "cannot open /dev/fuse: %s" % e}))
        return SKIP
    cfg = watched + "-cfg.yml"
    with open(cfg, "w") as f:
        f.write("x509_files:\n  - %s/*.pem\n  - %s/*.pem\n" % (watched, mnt))

    def scrape():
        try:
            text = agent.metrics()
        except Exception as e:  # noqa: BLE001 - a timed-out scrape is what the report must show
            return {"error": repr(e)}
        certs = file_series(text, "ssl_file_cert_not_after", watched + "/good.pem")
        return {"stuck": sample(text, "hostwatch_x509_refresh_stuck"), "good_certs": len(certs)}

    report = {}
    agent = Agent("--config.file=" + cfg, "--collector.disable-defaults")
    try:
        report["before"] = scrape()  # a healthy refresh first: the snapshot kept while the mount hangs
        opts = "fd=%d,rootmode=40000,user_id=0,group_id=0" % fuse_fd
        if libc.mount(b"hungfs", mnt.encode(), b"fuse.hungfs", 0, opts.encode()) != 0:
            print(json.dumps({"skip": "mount fuse: %s" % os.strerror(ctypes.get_errno())}))
            return SKIP
        report["hung"] = [scrape() for _ in range(4)]
        report["status_page"] = agent.request("/")[0]
    except Exception as e:  # noqa: BLE001
        report["status_page"] = repr(e)
    finally:
        report["exit_code"] = agent.stop()
        os.close(fuse_fd)  # the blocked calls return ENOTCONN
        libc.umount2(mnt.encode(), 2)  # MNT_DETACH
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == HUNG_CHILD_FLAG:
        sys.exit(hung_mount_child(sys.argv[2]))
    unittest.main()
