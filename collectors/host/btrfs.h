// btrfs collector: every btrfs filesystem under /sys/fs/btrfs/<uuid>/ as
// node_btrfs_*{uuid} (allocation per block group type and layout, global
// reserve, commit statistics, devices), as node_exporter's btrfs collector
// (prometheus/procfs btrfs) exports them. For a filesystem mounted on this
// host, device sizes and error counters come from the BTRFS_IOC_DEV_INFO and
// BTRFS_IOC_GET_DEV_STATS ioctls on its mount point (btrfs_ioctl.h), as
// upstream does; otherwise device sizes come from sysfs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// <uuid>/commit_stats (kernel 6.0+): "<key> <value>" lines.
struct BtrfsCommitStats {
  std::uint64_t commits = 0;
  std::uint64_t last_commit_ms = 0;
  std::uint64_t max_commit_ms = 0;
  std::uint64_t total_commit_ms = 0;
};
// Unknown keys are ignored; a line that is not two fields or whose value is
// not a number makes the file unusable: nullopt, counted in *parse_errors.
std::optional<BtrfsCommitStats> ParseBtrfsCommitStats(std::string_view text, std::uint64_t* parse_errors);

// How many bytes of disk one byte of a layout takes ("raid1": 2, "raid5" on n
// devices: n/(n-1)); 0 for a layout procfs does not know.
double BtrfsLayoutRatio(std::string_view layout, std::size_t device_count);

// A value file of the sysfs tree: one unsigned number. Missing (nullopt text)
// reads as 0, as in procfs; a value that does not parse too, counted in
// *parse_errors.
std::uint64_t ParseBtrfsValue(const std::optional<std::string>& text, std::uint64_t* parse_errors);

struct BtrfsLayout {
  std::string name;  // "raid1", "single", ...
  std::uint64_t used_bytes = 0;
  std::uint64_t total_bytes = 0;
  double ratio = 0;
};

// allocation/<data|metadata|system>/
struct BtrfsAllocation {
  std::uint64_t reserved_bytes = 0;
  std::vector<BtrfsLayout> layouts;
};

struct BtrfsDevice {
  std::string name;  // devices/<name>
  std::uint64_t size_bytes = 0;
};

// What /sys/fs/btrfs/<uuid>/ says about one filesystem.
struct BtrfsStats {
  std::string uuid;  // metadata_uuid, else the directory name
  std::string label;
  std::uint64_t global_rsv_size = 0;
  std::optional<BtrfsCommitStats> commits;  // nullopt: commit_stats did not parse
  BtrfsAllocation data, metadata, system;
  std::vector<BtrfsDevice> devices;
};

CollectorSpec BtrfsCollectorSpec();

}  // namespace hostwatch
