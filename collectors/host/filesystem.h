// filesystem collector: node_filesystem_* for every mount in /proc/1/mountinfo
// (falling back to /proc/self/mountinfo when pid 1 is hidden, e.g. hidepid),
// using statfs(2) on --path.rootfs + mount point, with node_exporter's names,
// labels {device,fstype,mountpoint,device_error}, filters and defaults.
//
// statfs runs through a StatfsRunner, so a hung mount costs one scrape at most
// --collector.filesystem.mount-timeout, is then reported with
// node_filesystem_device_error=1 and device_error="mountpoint timeout" and is
// not touched again until its blocked call returns; at most
// --collector.filesystem.stat-workers threads ever exist for this.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"
#include "collectors/core/statfs_runner.h"

namespace hostwatch {

// One line of /proc/<pid>/mountinfo (man 5 proc).
struct MountInfo {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::string mount_point;    // unescaped (\040 -> ' ')
  std::string mount_options;  // per-mount options, "rw,relatime"
  std::string fs_type;
  std::string device;         // the mount source
  std::string super_options;  // per-superblock options
};

// Parses mountinfo. A line without the " - " separator, too few fields or a
// bad major:minor is skipped and counted in *parse_errors.
std::vector<MountInfo> ParseMountInfo(std::string_view text, std::uint64_t* parse_errors);

// Undoes the kernel's octal escapes in mountinfo paths (\040 space, \011 tab,
// \012 newline, \134 backslash).
std::string UnescapeMountPath(std::string_view s);


// Removes the --path.rootfs prefix from a mount point seen from outside the
// root ("/host/media/x" -> "/media/x", "/host" -> "/"); mounts outside the
// prefix are returned unchanged.
std::string StripRootfsPrefix(std::string_view mount_point, std::string_view rootfs);

// True when the mount or its superblock is read-only ("ro" mount option, or
// "ro"/"emergency_ro" superblock option).
bool IsReadOnlyMount(const MountInfo& m);

// node_exporter's defaults for the filters.
inline constexpr std::string_view kDefaultMountPointsExclude =
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
inline constexpr std::string_view kDefaultFsTypesExclude =
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|"
    "overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$";

// The collector with an injected statfs (tests); options as in the registry.
Result<CollectorPtr> MakeFilesystemCollector(const CollectorContext& ctx, StatfsFunction statfs);

CollectorSpec FilesystemCollectorSpec();

}  // namespace hostwatch
