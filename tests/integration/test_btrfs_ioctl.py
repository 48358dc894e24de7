"""The btrfs collector on a real, mounted btrfs: device facts from the ioctls, as node_exporter.

The test makes a 200 MiB btrfs image (mkfs.btrfs from btrfs-progs), loop-mounts it in a private
mount namespace (unshare -m) so no other process sees the mount, and points the agent's
--path.procfs at a copy of /proc whose 1/mountinfo lists that mount. For a mounted filesystem
node_exporter reads device sizes and error counters with BTRFS_IOC_DEV_INFO and
BTRFS_IOC_GET_DEV_STATS on the mount point, labelled with the device's btrfs uuid; the sysfs tree
(global: /sys/fs/btrfs/<uuid>) gives the rest. Needs root, loop devices, the btrfs module and
mkfs.btrfs; skipped otherwise.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

from hostwatch_testutil import Agent, TempDir, require_binary, sample

CHILD_FLAG = "--btrfs-child"
SKIP = 77
FS_UUID = "5e1f0c3a-8b9d-4e2f-a1b3-c4d5e6f70819"
SIZE = 200 << 20


def child(tmp):
    """Runs inside the private mount namespace; prints a JSON report."""
    image, mnt = os.path.join(tmp, "btrfs.img"), os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    with open(image, "wb") as f:
        f.truncate(SIZE)
    subprocess.run(["mkfs.btrfs", "-q", "-L", "hwtest", "-U", FS_UUID, image], check=True, capture_output=True)
    res = subprocess.run(["mount", "-o", "loop", image, mnt], capture_output=True, text=True)
    if res.returncode != 0:
        print(json.dumps({"skip": "loop mount: " + res.stderr.strip()}))
        return SKIP
    try:
        with open("/proc/self/mountinfo") as f:
            line = next(l for l in f if l.split()[4] == mnt)
        os.makedirs(os.path.join(tmp, "proc", "1"))
        with open(os.path.join(tmp, "proc", "1", "mountinfo"), "w") as f:
            f.write(line)
        agent = Agent("--collector.disable-defaults", "--collector.btrfs", "--path.procfs=" + tmp + "/proc")
        try:
            text = agent.metrics()
        finally:
            agent.stop()
    finally:
        subprocess.run(["umount", mnt], check=False)
    series = [l for l in text.splitlines() if l.startswith("node_btrfs_") and FS_UUID in l]
    print(json.dumps({"series": series, "success": sample(text, 'node_scrape_collector_success{collector="btrfs"}'),
                      "loop": line.split(" - ")[1].split()[1]}))
    return 0


class BtrfsIoctlTest(unittest.TestCase):
    def test_mounted_filesystem_has_device_stats_from_the_ioctls(self):
        require_binary()
        with open("/proc/filesystems") as f:
            has_btrfs = "btrfs" in f.read()
        if os.geteuid() != 0 or not has_btrfs or not shutil.which("mkfs.btrfs") or not shutil.which("unshare"):
            self.skipTest("needs root, the btrfs module, mkfs.btrfs (btrfs-progs) and unshare")
        tmp = TempDir()
        try:
            res = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, __file__, CHILD_FLAG,
                                  tmp.path], capture_output=True, text=True, timeout=120)
        finally:
            tmp.cleanup()
        if res.returncode == SKIP:
            self.skipTest(res.stdout.strip())
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        report = json.loads(res.stdout.strip().splitlines()[-1])
        text = "\n".join(report["series"]) + "\n"
        self.assertEqual(report["success"], 1, report)
        device = os.path.basename(report["loop"])
        self.assertEqual(sample(text, 'node_btrfs_info{label="hwtest",uuid="%s"}' % FS_UUID), 1, text)
        sizes = re.findall(r'node_btrfs_device_size_bytes\{btrfs_dev_uuid="([0-9a-f-]{36})",device="%s",uuid="%s"\} '
                           r'(\S+)' % (re.escape(device), FS_UUID), text)
        self.assertEqual(len(sizes), 1, text)
        dev_uuid, size = sizes[0]
        self.assertEqual(float(size), SIZE, text)
        labels = 'btrfs_dev_uuid="%s",device="%s"' % (dev_uuid, device)
        unused = sample(text, "node_btrfs_device_unused_bytes{%s,uuid=\"%s\"}" % (labels, FS_UUID))
        self.assertIsNotNone(unused, text)
        self.assertTrue(0 < unused < SIZE, text)  # mkfs allocated some chunks
        for kind in ("corruption", "flush", "generation", "read", "write"):
            series = 'node_btrfs_device_errors_total{%s,type="%s",uuid="%s"}' % (labels, kind, FS_UUID)
            self.assertEqual(sample(text, series), 0, text)
        # The sysfs form of device_size_bytes (no btrfs_dev_uuid) is not there beside it.
        self.assertNotIn('node_btrfs_device_size_bytes{device=', text)
        self.assertIsNotNone(sample(text, 'node_btrfs_size_bytes{block_group_type="metadata",mode="dup",uuid="%s"}'
                                    % FS_UUID), text)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == CHILD_FLAG:
        sys.exit(child(sys.argv[2]))
    unittest.main()
