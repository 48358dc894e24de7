// diskstats collector: node_disk_* from /proc/diskstats (Documentation/
// admin-guide/iostats.rst), plus the udev database (--path.udev.data) and
// /sys/block/<dev>/queue/rotational for node_disk_info,
// node_disk_filesystem_info, node_disk_device_mapper_info and node_disk_ata_*,
// with node_exporter's names, HELP text and default device filter.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One line of /proc/diskstats.
struct DiskStatsLine {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::string device;
  // The numeric columns after the device name, in kernel order: 11 before
  // Linux 4.18, 15 with discard stats (4.18+), 17 with flush stats (5.5+).
  std::vector<std::uint64_t> stats;
};

// Parses /proc/diskstats. A line with fewer than 11 stat columns or a
// non-numeric field is skipped and counted in *parse_errors.
std::vector<DiskStatsLine> ParseDiskstats(std::string_view text, std::uint64_t* parse_errors);

// Device properties of one udev database entry ("E:KEY=value" lines of
// /run/udev/data/b<major>:<minor>; see udevadm(8)). Other line kinds are ignored.
using UdevProperties = std::map<std::string, std::string, std::less<>>;
UdevProperties ParseUdevProperties(std::string_view text);

// Parsed udev database entries (/run/udev/data/b<major>:<minor>), kept with
// the identity (device, inode, mtime, size) of the file they came from.
// udevd rewrites an entry by writing a new file and renaming it over the
// old one, so a changed entry always has a new identity: one stat per disk
// and scrape replaces an open, two reads, a close and the parse. Not
// thread-safe: one collector instance owns it.
class UdevCache {
 public:
  // The properties in udev_dir/file, read again only when the file's
  // identity changed; a missing or unreadable file gives no properties.
  // The reference is valid until the next call.
  const UdevProperties& Lookup(const DirHandle& udev_dir, const std::string& file);

  // Drops the entries of files not in `files` (disks that went away).
  void KeepOnly(const std::set<std::string, std::less<>>& files);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    FileIdentity id;
    UdevProperties props;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

// node_exporter's default --collector.diskstats.device-exclude: partitions of
// sd/vd/xvd/hd/nvme disks, ram, zram, loop and floppy devices.
inline constexpr std::string_view kDiskstatsDefaultDeviceExclude =
    "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";

CollectorSpec DiskstatsCollectorSpec();

}  // namespace hostwatch
