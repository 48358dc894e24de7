"""Throwaway roots for package tests: the host's / under an overlay, in
private namespaces, so that dpkg and maintainer scripts run for real while
the host's files stay untouched (standard library only; needs root).

ThrowawayRoot: a mount namespace and chroot, with no running systemd.
BootedSystemd: the same, plus pid/network/UTS/IPC namespaces and a real
systemd as PID 1.
"""
import glob
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time


def run(argv, timeout=60, check=True, **kw):
    """subprocess.run with text output and a bounded time; with check, a
    failure raises AssertionError carrying the command's output."""
    res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if check and res.returncode != 0:
        raise AssertionError("%s exited %d\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(map(shlex.quote, argv)), res.returncode, res.stdout, res.stderr))
    return res


def can_make_throwaway_root():
    """None when this machine can make throwaway roots, else the reason why not."""
    if os.geteuid() != 0:
        return "needs root (dpkg, chroot and mounts)"
    for tool in ["unshare", "nsenter", "chroot", "dpkg", "setpriv"]:
        if shutil.which(tool) is None:
            return "needs " + tool
    res = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
    if res.returncode != 0:
        return "cannot create a mount namespace: " + res.stderr.decode().strip()
    return None


class ThrowawayRoot:
    """The host's / under an overlay, in a private mount namespace.

    A helper process holds the namespace (it exits on its own after five
    minutes if the test dies); commands enter it with nsenter and chroot.
    Killing the helper unmounts everything; the upper directory then holds
    exactly what was written.
    """

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="hostwatch-root-")
        self.upper = os.path.join(self.base, "upper")
        self.root = os.path.join(self.base, "root")
        for d in ["upper", "work", "root"]:
            os.mkdir(os.path.join(self.base, d))
        self.holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sleep", "300"])
        deadline = time.monotonic() + 5
        while os.readlink("/proc/%d/ns/mnt" % self.holder.pid) == os.readlink("/proc/self/ns/mnt"):
            if time.monotonic() > deadline:
                raise AssertionError("unshare did not create a mount namespace")
            time.sleep(0.01)
        r = self.root
        # /run and /tmp are fresh tmpfs: no /run/systemd/system, as in a container.
        self.in_namespace(
            "mount -t overlay overlay -o lowerdir=/,upperdir={u},workdir={w} {r} && mount -t proc proc {r}/proc && "
            "mount --rbind /dev {r}/dev && mount --rbind /sys {r}/sys && mount -t tmpfs tmpfs {r}/run && "
            "mount -t tmpfs tmpfs {r}/tmp".format(u=self.upper, w=os.path.join(self.base, "work"), r=r))

    def in_namespace(self, shell_command, timeout=30):
        return run(["nsenter", "--target", str(self.holder.pid), "--mount", "--", "sh", "-c", shell_command],
                   timeout=timeout)

    def command(self, *argv):
        """argv to run inside the root (for Popen)."""
        return ["nsenter", "--target", str(self.holder.pid), "--mount", "--", "chroot", self.root] + list(argv)

    def run(self, *argv, timeout=60, check=True):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
        return run(self.command(*argv), timeout=timeout, check=check, env=env)

    def path(self, p):
        """A host path through which the test reads the root's file p."""
        return "/proc/%d/root%s%s" % (self.holder.pid, self.root, p)

    def exists(self, p):
        return os.path.lexists(self.path(p))

    def read(self, p):
        with open(self.path(p)) as f:
            return f.read()

    def copy_in(self, host_path, p):
        shutil.copy(host_path, self.path(p))

    def close(self):
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait()
        shutil.rmtree(self.base, ignore_errors=True)


class BootedSystemd:
    """A real systemd as PID 1 of new pid, mount, network, UTS and IPC
    namespaces, booted on an overlay of the host's / (as ThrowawayRoot).

    The machine is shared, so the boot is contained: its own network
    namespace (the service's :9555 never touches the host's ports); /sys and
    /proc/sys read-only and no CAP_SYS_MODULE/SYS_TIME/SYS_RAWIO, so nothing
    changes the shared kernel; the units that would try anyway (udev, sysctl,
    modules, binfmt, kernel file systems) masked; only basic.target; no
    resource accounting, and a cgroup of its own that is deleted afterwards.
    policy-rc.d, which forbids starting services in this image, is removed
    inside the overlay only.
    """

    MASKED = ["systemd-udevd.service", "systemd-udev-trigger.service", "systemd-udev-settle.service",
              "systemd-modules-load.service", "modprobe@.service", "systemd-sysctl.service", "systemd-binfmt.service",
              "proc-sys-fs-binfmt_misc.automount", "proc-sys-fs-binfmt_misc.mount", "sys-kernel-debug.mount",
              "sys-kernel-tracing.mount", "sys-kernel-config.mount", "sys-fs-fuse-connections.mount",
              "dev-hugepages.mount", "systemd-random-seed.service", "systemd-hwdb-update.service",
              "systemd-timesyncd.service", "getty.target", "console-getty.service",
              # Walks the image's tmpfiles.d; on the overlay its recursive
              # chmod/chown copy whole trees up: 15 s for nothing we need.
              "systemd-tmpfiles-setup.service", "systemd-tmpfiles-clean.timer"]

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="hostwatch-systemd-")
        self.cgroup = "hostwatch-test-%d-%d" % (os.getpid(), time.monotonic_ns() % 1000000)
        upper, work, root = (os.path.join(self.base, d) for d in ["upper", "work", "root"])
        for d in [upper, work, root]:
            os.mkdir(d)
        masks = " ".join("ln -sf /dev/null {r}/etc/systemd/system/%s;" % u for u in self.MASKED)
        boot = (
            "set -e; mount -t overlay overlay -o lowerdir=/,upperdir={u},workdir={w} {r}; "
            "mount -t proc proc {r}/proc; mount --bind {r}/proc/sys {r}/proc/sys; "
            "mount -o remount,bind,ro {r}/proc/sys; "
            "mount --rbind /sys {r}/sys; mount -o remount,bind,ro {r}/sys; "
            "mount --rbind /dev {r}/dev; mount -t tmpfs tmpfs {r}/run; rm -f {r}/usr/sbin/policy-rc.d; "
            "mkdir -p {r}/etc/systemd/system.conf.d; "
            "printf '[Manager]\\nDefaultMemoryAccounting=no\\nDefaultTasksAccounting=no\\nDefaultIOAccounting=no\\n'"
            " > {r}/etc/systemd/system.conf.d/hostwatch-test.conf; " + masks +
            " exec setpriv --bounding-set -sys_module,-sys_time,-sys_rawio,-sys_boot chroot {r}"
            " env container=hostwatch-test /lib/systemd/systemd --system --unit=basic.target"
        ).format(u=upper, w=work, r=root)
        # The booted systemd uses its own cgroup as the root of its tree:
        # give it an empty one (in every hierarchy systemd tracks with).
        enter_cgroup = (
            "for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do "
            "  if [ -d $h ]; then mkdir $h/{cg} && echo $$ > $h/{cg}/cgroup.procs; fi; done; "
            "if [ ! -d /sys/fs/cgroup/systemd ] && [ -f /sys/fs/cgroup/cgroup.procs ]; then "
            "  mkdir /sys/fs/cgroup/{cg} && echo $$ > /sys/fs/cgroup/{cg}/cgroup.procs; fi; "
        ).format(cg=self.cgroup)
        self.log = open(os.path.join(self.base, "boot.log"), "w+")
        # --pdeathsig and --kill-child: the namespace dies with unshare, and
        # unshare with this process, however the test ends.
        self.proc = subprocess.Popen(
            ["sh", "-c", enter_cgroup + 'exec setpriv --pdeathsig KILL unshare --pid --fork --kill-child --mount --propagation private --net '
             '--uts --ipc sh -c "$0"', boot], stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = None
        self.state = None
        start = time.monotonic()
        deadline = start + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            self.pid = self.pid or self._find_pid1()
            if self.pid:
                res = run(self.enter("systemctl", "is-system-running"), check=False, timeout=10)
                self.state = res.stdout.strip()
                if self.state in ("running", "degraded"):
                    self.boot_seconds = time.monotonic() - start
                    return
            time.sleep(0.2)

    def _find_pid1(self):
        # Popen: sh -> (exec) setpriv -> (exec) unshare -> (fork) systemd.
        try:
            with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                pid = int(f.read().split()[0])
            with open("/proc/%d/comm" % pid) as f:
                return pid if f.read().strip() == "systemd" else None
        except (OSError, IndexError, ValueError):
            return None

    @property
    def booted(self):
        return self.state in ("running", "degraded")

    def boot_log(self):
        self.log.seek(0)
        return self.log.read()[-3000:]

    def enter(self, *argv, net_only=False):
        if net_only:  # the host's files, the booted system's network
            return ["nsenter", "--target", str(self.pid), "--net", "--"] + list(argv)
        return ["nsenter", "--target", str(self.pid), "--mount", "--pid", "--net", "--root", "--wd", "--"] + list(argv)

    def run(self, *argv, check=True, timeout=60):
        return run(self.enter(*argv), check=check, timeout=timeout)

    def show(self, unit, prop):
        return self.run("systemctl", "show", "-p", prop, "--value", unit).stdout.strip()

    def http_get(self, url):
        code = ("import sys, urllib.request; "
                "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())")
        return run(self.enter(sys.executable, "-c", code, url, net_only=True), timeout=20).stdout

    def path(self, p):
        return "/proc/%d/root%s" % (self.pid, p)

    def close(self):
        # unshare's death kills systemd (--kill-child), and PID 1's death
        # every process in the namespace.
        self.proc.kill()
        self.proc.wait()
        self.log.close()
        self._remove_cgroups()
        shutil.rmtree(self.base, ignore_errors=True)

    def _remove_cgroups(self):
        """Deletes the cgroup tree the booted systemd made, in every
        hierarchy (empty cgroups are removed with rmdir, deepest first; the
        kernel may need a moment after the processes died)."""
        tops = [os.path.join(h, self.cgroup) for h in glob.glob("/sys/fs/cgroup/*")] + [
            os.path.join("/sys/fs/cgroup", self.cgroup)]
        deadline = time.monotonic() + 5
        for top in tops:
            while os.path.isdir(top):
                for dirpath, _, _ in sorted(os.walk(top), key=lambda w: -w[0].count("/")):
                    try:
                        os.rmdir(dirpath)
                    except OSError:
                        pass
                if time.monotonic() > deadline:
                    raise AssertionError("could not delete cgroup " + top)
                time.sleep(0.05)


def boot_systemd_or_skip(what, needs=()):
    """A BootedSystemd for a test of `what`: unittest.SkipTest when this machine cannot make one (or
    lacks a file in `needs`), AssertionError with the boot log when systemd did not boot."""
    import unittest
    reason = can_make_throwaway_root()
    if reason:
        raise unittest.SkipTest("%s test skipped: %s" % (what, reason))
    for path in ("/lib/systemd/systemd",) + tuple(needs):
        if not os.path.exists(path):
            raise unittest.SkipTest("%s test skipped: %s is not installed" % (what, path))
    sd = BootedSystemd()
    if not sd.booted:
        log = sd.boot_log()
        sd.close()
        raise AssertionError("systemd did not boot in namespaces (state %r):\n%s" % (sd.state, log))
    return sd
