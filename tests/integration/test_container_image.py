"""The container image (packaging/container/): built with podman from this build tree's binary,
exported, and the agent started from the image's own root filesystem the way the Kubernetes
DaemonSet (packaging/kubernetes/) runs it: the image's entrypoint and user, a read-only root
filesystem, the host's / under /host (its /proc and /sys with it), the configuration file mounted
as a ConfigMap would be, the host's network. Containers cannot run in this sandbox, so the test
makes the same mounts itself in a private mount namespace and chroots into the exported tree.

The image is cached in the build tree (HOSTWATCH_BINARY_DIR/container-image, podman's own vfs store):
its tag is the hash of the build context, so an unchanged binary is not rebuilt.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

from hostwatch_testutil import BINARY, Process, TargetServer, Reply, parse_samples, wait_for
from throwaway_root import run

BUILD_DIR = os.environ.get("HOSTWATCH_BINARY_DIR", "")
SOURCE_DIR = os.environ.get("HOSTWATCH_SOURCE_DIR", "")
CACHE = os.path.join(BUILD_DIR, "container-image")
# The libraries the agent loads with dlopen() only on first need: they must be in the image too.
DLOPENED = ["libcurl.so.4", "libsystemd.so.0"]
CONFIG_DIR = "/etc/hostwatch"  # where the DaemonSet mounts the ConfigMap (hostwatch.yml in it)


def podman(*args, timeout=300, check=True):
    store = ["--root", os.path.join(CACHE, "storage"), "--runroot", os.path.join(CACHE, "run"),
             "--storage-driver", "vfs"]
    return run(["podman"] + store + list(args), timeout=timeout, check=check)


def why_not_here():
    """None when the image can be built and its root filesystem booted here, else the reason."""
    if not BUILD_DIR or not BINARY:
        return "HOSTWATCH_BINARY_DIR/HOSTWATCH_BINARY not set; run through ctest"
    if os.geteuid() != 0:
        return "needs root (podman's store, mount namespaces, chroot)"
    for tool in ["podman", "unshare", "strip", "ldconfig"]:
        if shutil.which(tool) is None:
            return "needs %s (packaging/install-deps.sh installs it)" % tool
    res = podman("info", "--format", "{{.Store.GraphDriverName}}", check=False, timeout=60)
    if res.returncode != 0:
        return "podman cannot use a vfs store here: " + res.stderr.strip()[-300:]
    res = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, text=True)
    if res.returncode != 0:
        return "cannot create a mount namespace: " + res.stderr.strip()
    return None


class Image:
    """The image built (or reused) from this build tree, and its root filesystem exported."""

    def __init__(self):
        script = os.path.join(SOURCE_DIR, "packaging", "container", "build-image.sh")
        res = run([script, BINARY, os.path.join(CACHE, "context"), "--", "--root", os.path.join(CACHE, "storage"),
                   "--runroot", os.path.join(CACHE, "run"), "--storage-driver", "vfs"], timeout=600)
        self.tag = res.stdout.strip().splitlines()[-1]
        self.rebuilt = "COMMIT" in res.stderr
        self._drop_older_images()
        info = json.loads(podman("image", "inspect", self.tag).stdout)[0]
        self.size = info["Size"]
        self.user = info["Config"]["User"]
        self.entrypoint = info["Config"]["Entrypoint"]
        self.tmp = tempfile.mkdtemp(prefix="hostwatch-image-")
        self.rootfs = os.path.join(self.tmp, "rootfs")
        os.mkdir(self.rootfs)
        container = podman("create", self.tag).stdout.strip()
        try:
            archive = os.path.join(self.tmp, "rootfs.tar")
            podman("export", "-o", archive, container)
            run(["tar", "-x", "-p", "--numeric-owner", "-f", archive, "-C", self.rootfs])
            os.unlink(archive)
        finally:
            podman("rm", container)

    def _drop_older_images(self):
        """The cache keeps one image: the current one."""
        names = podman("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
        for name in names:
            if name != self.tag and name.startswith("localhost/hostwatch:"):
                podman("rmi", "-f", name, check=False)

    def path(self, p):
        return self.rootfs + p

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class ContainerAgent(Process):
    """The image's entrypoint, as the image's user, chrooted into its exported root filesystem with
    the DaemonSet's mounts, made in a private mount namespace: the host's / at /host (recursively:
    its /proc and /sys come along, as the DaemonSet's hostPath mounts of /proc and /sys give them),
    a configuration directory at /etc/hostwatch, and the root read-only. The pid stays
    the agent's through every exec."""

    def __init__(self, image, config_dir, args):
        r = image.rootfs
        uid, gid = image.user.split(":")
        mounts = ("set -e; mount --bind {r} {r}; mount --rbind / {r}/host; mount -o remount,bind,ro {r}/host; "
                  "mount --bind {c} {r}{cfg}; mount -o remount,bind,ro {r}{cfg}; mount -o remount,bind,ro {r}; "
                  "exec unshare --root={r} --setuid={u} --setgid={g} -- ").format(
                      r=shlex.quote(r), c=shlex.quote(config_dir), cfg=CONFIG_DIR, u=uid, g=gid)
        command = mounts + " ".join(shlex.quote(a) for a in image.entrypoint + list(args))
        argv = ["setpriv", "--pdeathsig", "KILL", "unshare", "--mount", "--propagation", "private",
                "sh", "-c", command]
        super().__init__(argv, name="agent from the image", ready_line=self._started_line, timeout=20,
                         env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})

    def _started_line(self, line):
        m = re.search(r'msg="hostwatch started".*address=127\.0\.0\.1:(\d+)', line)
        if m:
            self.port = int(m.group(1))
        return m is not None

    def metrics_text(self):
        status, _, body = self.request("/metrics")
        if status != 200:
            raise AssertionError("GET /metrics -> %d" % status)
        return body.decode()


_image = None


def setUpModule():
    global _image
    reason = why_not_here()
    if reason:
        raise unittest.SkipTest("container image test skipped: " + reason)
    _image = Image()
    print("\nimage %s: %.1f MiB (%s)" % (_image.tag, _image.size / 2**20,
                                        "built now" if _image.rebuilt else "cached: context unchanged"))


def tearDownModule():
    if _image:
        _image.close()


class ImageContentsTest(unittest.TestCase):
    def test_entrypoint_user_and_host_paths(self):
        self.assertEqual(_image.entrypoint[0], "/usr/bin/hostwatch")
        self.assertIn("--path.rootfs=/host", _image.entrypoint)
        self.assertIn("--path.procfs=/host/proc", _image.entrypoint)
        self.assertIn("--path.sysfs=/host/sys", _image.entrypoint)
        uid, gid = _image.user.split(":")
        self.assertGreater(int(uid), 0, "runAsNonRoot needs a numeric non-root USER")
        self.assertGreater(int(gid), 0)
        self.assertTrue(os.path.isdir(_image.path("/host")))

    def test_every_library_resolves_inside_the_image(self):
        """ld.so inside the image resolves the agent and each dlopen()ed library from the image's own
        files (its ld.so.cache), and each soname dlopen() asks for is there."""
        for obj in ["/usr/bin/hostwatch"] + ["/usr/lib/x86_64-linux-gnu/" + so for so in DLOPENED]:
            self.assertTrue(os.path.exists(_image.path(obj)), obj)
            res = run(["chroot", _image.rootfs, "/lib64/ld-linux-x86-64.so.2", "--list", obj])
            self.assertNotIn("not found", res.stdout, obj + ":\n" + res.stdout)
            for path in re.findall(r"=> (/\S+)", res.stdout):
                self.assertTrue(os.path.exists(_image.path(path)), path)
        cache = run(["ldconfig", "-r", _image.rootfs, "-p"]).stdout
        for so in DLOPENED:
            self.assertRegex(cache, r"\s%s \(" % re.escape(so), "ld.so.cache of the image lacks " + so)

    def test_nothing_but_the_runtime(self):
        """No shell and no package manager: the image is the agent, its libraries and a few files."""
        self.assertFalse(os.path.lexists(_image.path("/bin/sh")))
        self.assertFalse(os.path.lexists(_image.path("/usr/bin/apt-get")))
        self.assertEqual(os.listdir(_image.path("/usr/bin")), ["hostwatch"])


class AgentFromImageTest(unittest.TestCase):
    def test_serves_host_metrics_and_runs_an_http_check(self):
        with TargetServer({"*": Reply(200, b"ok\n")}) as target, tempfile.TemporaryDirectory() as config_dir:
            with open(os.path.join(config_dir, "hostwatch.yml"), "w") as f:
                f.write("http_checks:\n  checks:\n    - {name: from-image, url: 'http://127.0.0.1:%d/', interval: 2s, "
                        "timeout: 1s}\n" % target.port)
            os.chmod(config_dir, 0o755)
            agent = ContainerAgent(_image, config_dir, ["--web.listen-address=127.0.0.1:0"])
            try:
                self.check_agent(agent)
            finally:
                agent.stop()

    def check_agent(self, agent):
        pid = agent.proc.pid
        self.assertEqual(os.readlink("/proc/%d/root" % pid), _image.rootfs)
        with open("/proc/%d/status" % pid) as f:
            status = f.read()
        uid, gid = _image.user.split(":")
        self.assertEqual(set(re.search(r"(?m)^Uid:\s+(.*)$", status).group(1).split()), {uid})
        self.assertEqual(set(re.search(r"(?m)^Gid:\s+(.*)$", status).group(1).split()), {gid})
        self.assertEqual(int(re.search(r"(?m)^CapEff:\s+(\w+)$", status).group(1), 16), 0)

        def checked():
            s = parse_samples(agent.metrics_text())
            return s if any(k.startswith('probe_success{check="from-image"') for k in s) else None
        samples = wait_for(checked, timeout=20)
        self.assertTrue(samples, "the check never ran:\n" + agent.log())
        # Host metrics read through /host/proc and /host/sys.
        self.assertEqual(samples.get('node_scrape_collector_success{collector="cpu"}'), 1.0, agent.log())
        self.assertIn("node_load1", samples)
        self.assertTrue(any(k.startswith("node_network_receive_bytes_total{") for k in samples))
        self.assertTrue(any(k.startswith("hostwatch_build_info{") for k in samples))
        # The root file system collector reports the host's / as /, through --path.rootfs=/host.
        self.assertTrue(any(k.startswith("node_filesystem_size_bytes{") and 'mountpoint="/"' in k for k in samples),
                        [k for k in samples if k.startswith("node_filesystem_size_bytes")][:5])
        # The HTTP check: libcurl came from the image and reached the target.
        series = {k.partition("{")[0]: v for k, v in samples.items() if '{check="from-image"' in k}
        self.assertEqual(series.get("probe_success"), 1.0, "%r\n%s" % (series, agent.log()))
        self.assertEqual(series.get("probe_http_status_code"), 200.0)
        with open("/proc/%d/maps" % pid) as f:
            self.assertIn("/libcurl.so.4", f.read())
        self.assertNotIn("level=error", agent.log())

if __name__ == "__main__":
    unittest.main()
