#include "collectors/host/btrfs.h"

#include <algorithm>
#include <map>
#include <memory>

#include "collectors/core/parse_util.h"
#include "collectors/host/btrfs_ioctl.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kUuid = {"uuid"};
const std::vector<std::string> kBlockGroup = {"uuid", "block_group_type"};
const std::vector<std::string> kLayout = {"uuid", "block_group_type", "mode"};
const std::vector<std::string> kSysfsDevice = {"uuid", "device"};
const std::vector<std::string> kIoctlDevice = {"uuid", "device", "btrfs_dev_uuid"};
const std::vector<std::string> kDeviceError = {"uuid", "type", "device", "btrfs_dev_uuid"};

MetricDesc Desc(const std::string& name, std::string help, MetricType type, const std::vector<std::string>& labels) {
  return {"node_btrfs_" + name, std::move(help), type, labels};
}

const MetricDesc kInfo = Desc("info", "Filesystem information", MetricType::Gauge, {"uuid", "label"});
const MetricDesc kGlobalRsv = Desc("global_rsv_size_bytes", "Size of global reserve.", MetricType::Gauge, kUuid);
const MetricDesc kCommits =
    Desc("commits_total", "The total number of commits that have occurred.", MetricType::Counter, kUuid);
const MetricDesc kLastCommit =
    Desc("last_commit_seconds", "Duration of the most recent commit, in seconds.", MetricType::Gauge, kUuid);
const MetricDesc kMaxCommit =
    Desc("max_commit_seconds", "Duration of the slowest commit, in seconds.", MetricType::Gauge, kUuid);
const MetricDesc kCommitSeconds =
    Desc("commit_seconds_total", "Sum of the duration of all commits, in seconds.", MetricType::Counter, kUuid);
const MetricDesc kReserved =
    Desc("reserved_bytes", "Amount of space reserved for a data type", MetricType::Gauge, kBlockGroup);
const MetricDesc kUsed = Desc("used_bytes", "Amount of used space by a layout/data type", MetricType::Gauge, kLayout);
const MetricDesc kSize =
    Desc("size_bytes", "Amount of space allocated for a layout/data type", MetricType::Gauge, kLayout);
const MetricDesc kRatio =
    Desc("allocation_ratio", "Data allocation ratio for a layout/data type", MetricType::Gauge, kLayout);
const std::string kDeviceSizeHelp = "Size of a device that is part of the filesystem.";
const MetricDesc kSysfsDeviceSize = Desc("device_size_bytes", kDeviceSizeHelp, MetricType::Gauge, kSysfsDevice);
const MetricDesc kIoctlDeviceSize = Desc("device_size_bytes", kDeviceSizeHelp, MetricType::Gauge, kIoctlDevice);
const MetricDesc kDeviceUnused = Desc("device_unused_bytes", "Unused bytes unused on a device that is part of the filesystem.",
                                      MetricType::Gauge, kIoctlDevice);
const MetricDesc kDeviceErrors =
    Desc("device_errors_total", "Errors reported for the device", MetricType::Counter, kDeviceError);
constexpr const char* kErrorTypes[] = {"write", "read", "flush", "corruption", "generation"};

// Linux counts device sizes in 512-byte sectors whatever the device's block size.
constexpr std::uint64_t kSectorSize = 512;

// Reads one filesystem directory as procfs does: a missing value file reads
// as 0 (or ""), any other read failure, or a missing directory procfs lists
// (devices/, allocation/<type>/), fails the scrape.
class FsReader {
 public:
  explicit FsReader(std::uint64_t* parse_errors) : parse_errors_(parse_errors) {}

  Result<BtrfsStats> Read(const DirHandle& dir, const std::string& dir_name) {
    BtrfsStats s;
    Status st = ReadDevices(dir, &s.devices);
    std::optional<std::string> uuid, label, rsv, commits;
    for (auto [file, out] : {std::pair{"metadata_uuid", &uuid}, {"label", &label},
                             {"allocation/global_rsv_size", &rsv}, {"commit_stats", &commits}}) {
      if (st.ok()) {
        st = Optional(dir, file, out);
      }
    }
    const std::pair<const char*, BtrfsAllocation*> types[] = {
        {"data", &s.data}, {"metadata", &s.metadata}, {"system", &s.system}};
    for (auto [type, out] : types) {
      if (st.ok()) {
        st = ReadAllocation(dir, type, s.devices.size(), out);
      }
    }
    if (!st.ok()) {
      return st;
    }
    s.uuid = uuid && !TrimSpace(*uuid).empty() ? std::string(TrimSpace(*uuid)) : dir_name;
    s.label = label ? std::string(TrimSpace(*label)) : "";
    s.global_rsv_size = ParseBtrfsValue(rsv, parse_errors_);
    // No commit_stats (kernels before 6.0): zeros, as node_exporter.
    s.commits = commits ? ParseBtrfsCommitStats(*commits, parse_errors_) : BtrfsCommitStats{};
    return s;
  }

 private:
  // A file that may be missing: *out stays nullopt then.
  static Status Optional(const DirHandle& dir, std::string_view file, std::optional<std::string>* out) {
    Result<std::string> text = dir.ReadFile(file);
    if (text.ok()) {
      *out = std::move(text.value());
    }
    return text.ok() || text.status().no_data() ? Status::OK() : text.status();
  }

  Result<std::uint64_t> Value(const DirHandle& dir, std::string_view file) {
    std::optional<std::string> text;
    if (Status s = Optional(dir, file, &text); !s.ok()) {
      return s;
    }
    return ParseBtrfsValue(text, parse_errors_);
  }

  // A directory procfs lists: missing is an error here.
  static Result<DirHandle> OpenRequired(const DirHandle& dir, const std::string& name) {
    Result<DirHandle> sub = dir.OpenDir(name);
    if (!sub.ok() && sub.status().no_data()) {
      return Status::Error(sub.status().message());
    }
    return sub;
  }

  Status ReadDevices(const DirHandle& dir, std::vector<BtrfsDevice>* out) {
    Result<DirHandle> devices = OpenRequired(dir, "devices");
    Result<std::vector<std::string>> names = devices.ok() ? devices.value().List() : devices.status();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& name : names.value()) {
      Result<std::uint64_t> size = Value(devices.value(), name + "/size");
      if (!size.ok()) {
        return size.status();
      }
      out->push_back({name, size.value() * kSectorSize});
    }
    return Status::OK();
  }

  Status ReadAllocation(const DirHandle& dir, const std::string& type, std::size_t device_count,
                        BtrfsAllocation* out) {
    Result<DirHandle> alloc = OpenRequired(dir, "allocation/" + type);
    Result<std::vector<std::string>> names = alloc.ok() ? alloc.value().List() : alloc.status();
    if (!names.ok()) {
      return names.status();
    }
    Result<std::uint64_t> reserved = Value(alloc.value(), "bytes_reserved");
    if (!reserved.ok()) {
      return reserved.status();
    }
    out->reserved_bytes = reserved.value();
    for (const std::string& name : names.value()) {
      Result<DirHandle> layout = alloc.value().OpenDir(name);
      if (!layout.ok() && layout.status().no_data()) {
        continue;  // a value file, not a layout directory
      }
      if (!layout.ok()) {
        return layout.status();
      }
      Result<std::uint64_t> used = Value(layout.value(), "used_bytes");
      Result<std::uint64_t> total = used.ok() ? Value(layout.value(), "total_bytes") : used;
      if (!total.ok()) {
        return total.status();
      }
      out->layouts.push_back({name, used.value(), total.value(), BtrfsLayoutRatio(name, device_count)});
    }
    return Status::OK();
  }

  std::uint64_t* parse_errors_;
};

void AddAllocation(MetricSink& sink, const std::string& uuid, const std::string& type, const BtrfsAllocation& a) {
  sink.Add(kReserved, static_cast<double>(a.reserved_bytes), {uuid, type});
  for (const BtrfsLayout& l : a.layouts) {
    sink.Add(kUsed, static_cast<double>(l.used_bytes), {uuid, type, l.name});
    sink.Add(kSize, static_cast<double>(l.total_bytes), {uuid, type, l.name});
    sink.Add(kRatio, l.ratio, {uuid, type, l.name});
  }
}

void AddIoctlDevices(MetricSink& sink, const std::string& uuid, const std::vector<BtrfsIoctlDevice>& devices) {
  for (const BtrfsIoctlDevice& d : devices) {
    sink.Add(kIoctlDeviceSize, static_cast<double>(d.total_bytes), {uuid, d.name, d.uuid});
    // Unused rather than used: the number that matters when it is small stays exact.
    sink.Add(kDeviceUnused, static_cast<double>(d.total_bytes - d.bytes_used), {uuid, d.name, d.uuid});
    for (std::size_t i = 0; i < d.errors.size(); ++i) {
      sink.Add(kDeviceErrors, static_cast<double>(d.errors[i]), {uuid, kErrorTypes[i], d.name, d.uuid});
    }
  }
}

void AddStats(MetricSink& sink, const BtrfsStats& s, const std::vector<BtrfsIoctlDevice>* ioctl_devices) {
  sink.Add(kInfo, 1, {s.uuid, s.label});
  sink.Add(kGlobalRsv, static_cast<double>(s.global_rsv_size), {s.uuid});
  if (s.commits) {
    sink.Add(kCommits, static_cast<double>(s.commits->commits), {s.uuid});
    sink.Add(kLastCommit, static_cast<double>(s.commits->last_commit_ms) / 1000, {s.uuid});
    sink.Add(kMaxCommit, static_cast<double>(s.commits->max_commit_ms) / 1000, {s.uuid});
    sink.Add(kCommitSeconds, static_cast<double>(s.commits->total_commit_ms) / 1000, {s.uuid});
  }
  AddAllocation(sink, s.uuid, "data", s.data);
  AddAllocation(sink, s.uuid, "metadata", s.metadata);
  AddAllocation(sink, s.uuid, "system", s.system);
  if (ioctl_devices != nullptr) {
    AddIoctlDevices(sink, s.uuid, *ioctl_devices);
    return;
  }
  for (const BtrfsDevice& d : s.devices) {
    sink.Add(kSysfsDeviceSize, static_cast<double>(d.size_bytes), {s.uuid, d.name});
  }
}

class BtrfsCollector : public Collector {
 public:
  explicit BtrfsCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    // No /sys/fs/btrfs: the btrfs module is not loaded: no data.
    Result<DirHandle> root = fs_.OpenDir(fs_.SysPath("fs/btrfs"));
    if (!root.ok()) {
      return root.status();
    }
    Result<std::vector<std::string>> names = root.value().List();
    if (!names.ok()) {
      return names.status();
    }
    std::vector<BtrfsStats> all;
    std::uint64_t parse_errors = 0;
    for (const std::string& name : names.value()) {
      if (name.find('-') == std::string::npos) {
        continue;  // "features" and other non-filesystem entries (procfs globs "*-*")
      }
      Result<DirHandle> dir = root.value().OpenDir(name);
      if (!dir.ok() && dir.status().no_data()) {
        continue;
      }
      Result<BtrfsStats> s = dir.ok() ? FsReader(&parse_errors).Read(dir.value(), name) : dir.status();
      if (!s.ok()) {
        return s.status();
      }
      all.push_back(std::move(s.value()));
    }
    sink.CountParseError(parse_errors);
    if (all.empty()) {
      return Status::OK();
    }
    // ioctl facts are matched to sysfs by filesystem id (the uuid without dashes).
    const std::map<std::string, std::vector<BtrfsIoctlDevice>> ioctl = ReadBtrfsIoctlStats(fs_);
    for (const BtrfsStats& s : all) {
      std::string fsid = s.uuid;
      std::erase(fsid, '-');
      auto it = ioctl.find(fsid);
      AddStats(sink, s, it == ioctl.end() ? nullptr : &it->second);
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
};

}  // namespace

std::optional<BtrfsCommitStats> ParseBtrfsCommitStats(std::string_view text, std::uint64_t* parse_errors) {
  BtrfsCommitStats s;
  const std::pair<std::string_view, std::uint64_t*> keys[] = {{"commits", &s.commits},
                                                              {"last_commit_ms", &s.last_commit_ms},
                                                              {"max_commit_ms", &s.max_commit_ms},
                                                              {"total_commit_ms", &s.total_commit_ms}};
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    std::optional<std::uint64_t> v = f.size() == 2 ? ParseUint(f[1]) : std::nullopt;
    if (!v) {
      ++*parse_errors;
      return std::nullopt;
    }
    for (auto [key, out] : keys) {
      if (f[0] == key) {
        *out = *v;
      }
    }
  }
  return s;
}

double BtrfsLayoutRatio(std::string_view layout, std::size_t device_count) {
  const double n = static_cast<double>(device_count);
  if (layout == "single" || layout == "raid0") {
    return 1;
  }
  if (layout == "dup" || layout == "raid1" || layout == "raid10") {
    return 2;
  }
  if (layout == "raid1c3") {
    return 3;
  }
  if (layout == "raid1c4") {
    return 4;
  }
  if (layout == "raid5") {
    return n / (n - 1);  // parity takes one device's share (Inf or NaN on 1 or 0 devices, as upstream)
  }
  if (layout == "raid6") {
    return n / (n - 2);
  }
  return 0;
}

std::uint64_t ParseBtrfsValue(const std::optional<std::string>& text, std::uint64_t* parse_errors) {
  if (!text) {
    return 0;
  }
  std::optional<std::uint64_t> v = ParseUint(TrimSpace(*text));
  if (!v) {
    ++*parse_errors;
    return 0;
  }
  return *v;
}

CollectorSpec BtrfsCollectorSpec() {
  return {"btrfs",
          true,
          "Exposes btrfs filesystems (/sys/fs/btrfs/<uuid>): allocation per block group type and layout, global "
          "reserve, commit statistics and device sizes as node_btrfs_*; for mounted filesystems device sizes, unused "
          "bytes and error counters come from the BTRFS_IOC_DEV_INFO / GET_DEV_STATS ioctls on the mount point.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<BtrfsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
