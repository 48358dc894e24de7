// Device facts of the btrfs filesystems mounted on this host, from ioctls on
// their mount points, as node_exporter's btrfs collector reads them (with
// dennwc/btrfs): BTRFS_IOC_FS_INFO for the filesystem id and device ids,
// BTRFS_IOC_DEV_INFO for each device's path, uuid and sizes, and
// BTRFS_IOC_GET_DEV_STATS for its error counters. Needs the mount points to
// be openable (root, or a readable mount point); what cannot be read is
// skipped, and the collector falls back to sysfs for that filesystem.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "collectors/core/proc_fs.h"

namespace hostwatch {

struct BtrfsIoctlDevice {
  std::string name;  // last element of the device path ("/dev/loop3" -> "loop3")
  std::string uuid;  // the device's uuid, 8-4-4-4-12 hex ("<zero>" when all zero, as dennwc/btrfs)
  std::uint64_t total_bytes = 0;
  std::uint64_t bytes_used = 0;
  // write, read, flush, corruption, generation: the kernel's btrfs_dev_stat_values order.
  std::array<std::uint64_t, 5> errors{};
};

// The kernel's 16-byte uuid as 8-4-4-4-12 lower-case hex.
std::string BtrfsUuidString(const std::uint8_t* uuid16);

// Filesystem id (32 hex digits, no dashes) -> its devices, for every btrfs
// mount in /proc/1/mountinfo (/proc/self/mountinfo when pid 1 is hidden),
// each filesystem and mount source read once. Mount points are opened under
// --path.rootfs.
std::map<std::string, std::vector<BtrfsIoctlDevice>> ReadBtrfsIoctlStats(const ProcFs& fs);

}  // namespace hostwatch
