#include "collectors/host/filesystem.h"

#include <cctype>
#include <cstring>
#include <set>
#include <tuple>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kLabels = {"device", "mountpoint", "fstype", "device_error"};
const MetricDesc kSize{"node_filesystem_size_bytes", "Filesystem size in bytes.", MetricType::Gauge, kLabels};
const MetricDesc kFree{"node_filesystem_free_bytes", "Filesystem free space in bytes.", MetricType::Gauge, kLabels};
const MetricDesc kAvail{"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
                        MetricType::Gauge, kLabels};
const MetricDesc kFiles{"node_filesystem_files", "Filesystem total file nodes.", MetricType::Gauge, kLabels};
const MetricDesc kFilesFree{"node_filesystem_files_free", "Filesystem total free file nodes.", MetricType::Gauge,
                            kLabels};
const MetricDesc kReadonly{"node_filesystem_readonly", "Filesystem read-only status.", MetricType::Gauge, kLabels};
const MetricDesc kDeviceError{"node_filesystem_device_error",
                              "Whether an error occurred while getting statistics for the given device.",
                              MetricType::Gauge, kLabels};
const MetricDesc kMountInfo{"node_filesystem_mount_info",
                            "Filesystem mount information.",
                            MetricType::Gauge,
                            {"device", "major", "minor", "mountpoint"}};

// node_exporter puts Go's error text in the device_error label: strerror in
// lower case ("permission denied").
std::string ErrnoLabel(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) {
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  }
  return s;
}

bool HasOption(std::string_view options, std::string_view want) {
  while (!options.empty()) {
    std::size_t comma = options.find(',');
    if (options.substr(0, comma) == want) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    options.remove_prefix(comma + 1);
  }
  return false;
}

class FilesystemCollector : public Collector {
 public:
  FilesystemCollector(const ProcFs& fs, DeviceFilter mount_points, DeviceFilter fs_types,
                      std::unique_ptr<StatfsRunner> runner)
      : fs_(fs), mount_points_(std::move(mount_points)), fs_types_(std::move(fs_types)), runner_(std::move(runner)) {}

  Status Collect(MetricSink& sink) override {
    if (Status loaded = LoadMounts(); !loaded.ok()) {
      return loaded;
    }
    // Malformed lines are counted on every scrape, parsed again or not.
    sink.CountParseError(mount_parse_errors_);
    const std::vector<MountInfo>& mounts = mounts_;

    std::vector<StatfsRunner::Request> requests;
    requests.reserve(mounts.size());
    for (const MountInfo& m : mounts) {
      requests.push_back({m.mount_point, fs_.RootPath(m.mount_point)});
    }
    std::vector<StatfsRunner::Reply> replies = runner_->Run(requests);
    for (std::size_t i = 0; i < mounts.size(); ++i) {
      Add(mounts[i], replies[i], sink);
    }
    return Status::OK();
  }

 private:
  // Reads and parses the mount table into mounts_, unless the kernel says it
  // has not changed since the last time (poll on the kept mountinfo
  // descriptor): generating and parsing mountinfo was the largest part of
  // this collector's cost, and mounts change rarely. statfs still runs on
  // every scrape. pid 1's view is the host's mount table even when we run in
  // a container with the host's /proc; hidepid hides it, then our own view
  // is used.
  Status LoadMounts() {
    if (mounts_source_ != nullptr && !mounts_source_->MayHaveChanged()) {
      return Status::OK();
    }
    mounts_source_ = &pid1_mountinfo_;
    Result<std::string> text = pid1_mountinfo_.Read();
    if (!text.ok() && text.status().no_data()) {
      mounts_source_ = &self_mountinfo_;
      text = self_mountinfo_.Read();
    }
    if (!text.ok()) {
      mounts_source_ = nullptr;
      return text.status();
    }
    mount_parse_errors_ = 0;
    mounts_ = Select(ParseMountInfo(text.value(), &mount_parse_errors_));
    return Status::OK();
  }

  // Applies the rootfs prefix and the filters, and keeps one entry per
  // (device, mount point, fs type): a mount point mounted twice with the same
  // source would otherwise give duplicate series.
  std::vector<MountInfo> Select(std::vector<MountInfo> all) const {
    std::vector<MountInfo> out;
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (MountInfo& m : all) {
      m.mount_point = StripRootfsPrefix(m.mount_point, fs_.roots().rootfs);
      if (mount_points_.Ignored(m.mount_point) || fs_types_.Ignored(m.fs_type)) {
        continue;
      }
      if (!seen.emplace(m.device, m.mount_point, m.fs_type).second) {
        continue;
      }
      out.push_back(std::move(m));
    }
    return out;
  }

  static void Add(const MountInfo& m, const StatfsRunner::Reply& reply, MetricSink& sink) {
    std::string error_label;
    switch (reply.outcome) {
      case StatfsRunner::Outcome::kDone:
        if (reply.result.error != 0) {
          error_label = ErrnoLabel(reply.result.error);
        }
        break;
      case StatfsRunner::Outcome::kTimedOut:
      case StatfsRunner::Outcome::kStuck:
        error_label = "mountpoint timeout";
        break;
      case StatfsRunner::Outcome::kNoWorker:
        error_label = "statfs workers busy";
        break;
    }
    const bool failed = !error_label.empty();
    const std::string device = ToValidUtf8(m.device);
    const std::string mount_point = ToValidUtf8(m.mount_point);
    const std::vector<std::string> labels = {device, mount_point, ToValidUtf8(m.fs_type), error_label};
    sink.Add(kDeviceError, failed ? 1 : 0, labels);
    sink.Add(kReadonly, IsReadOnlyMount(m) ? 1 : 0, labels);
    if (failed) {
      return;
    }
    const StatfsResult& r = reply.result;
    sink.Add(kSize, r.size_bytes, labels);
    sink.Add(kFree, r.free_bytes, labels);
    sink.Add(kAvail, r.avail_bytes, labels);
    sink.Add(kFiles, r.files, labels);
    sink.Add(kFilesFree, r.files_free, labels);
    sink.Add(kMountInfo, 1, {device, std::to_string(m.major), std::to_string(m.minor), mount_point});
  }

  const ProcFs& fs_;
  const DeviceFilter mount_points_;
  const DeviceFilter fs_types_;
  const std::unique_ptr<StatfsRunner> runner_;
  CachedFile pid1_mountinfo_{fs_.ProcPath("1/mountinfo")};
  CachedFile self_mountinfo_{fs_.ProcPath("self/mountinfo")};
  // What LoadMounts parsed last, and the file it came from (nullptr: nothing
  // parsed, or the last read failed).
  CachedFile* mounts_source_ = nullptr;
  std::vector<MountInfo> mounts_;
  std::uint64_t mount_parse_errors_ = 0;
};

}  // namespace

std::string UnescapeMountPath(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      std::string_view code = s.substr(i + 1, 3);
      char c = 0;
      if (code == "040") {
        c = ' ';
      } else if (code == "011") {
        c = '\t';
      } else if (code == "012") {
        c = '\n';
      } else if (code == "134") {
        c = '\\';
      }
      if (c != 0) {
        out.push_back(c);
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string StripRootfsPrefix(std::string_view mount_point, std::string_view rootfs) {
  while (rootfs.size() > 1 && rootfs.back() == '/') {
    rootfs.remove_suffix(1);
  }
  if (rootfs.empty() || rootfs == "/") {
    return std::string(mount_point);
  }
  if (mount_point == rootfs) {
    return "/";
  }
  if (mount_point.size() > rootfs.size() && mount_point.substr(0, rootfs.size()) == rootfs &&
      mount_point[rootfs.size()] == '/') {
    return std::string(mount_point.substr(rootfs.size()));
  }
  return std::string(mount_point);
}

bool IsReadOnlyMount(const MountInfo& m) {
  return HasOption(m.mount_options, "ro") || HasOption(m.super_options, "ro") ||
         HasOption(m.super_options, "emergency_ro");
}

std::vector<MountInfo> ParseMountInfo(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<MountInfo> out;
  for (std::string_view line : SplitLines(text)) {
    if (TrimSpace(line).empty()) {
      continue;
    }
    // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
    // id, parent, major:minor, root, mount point, options, optional fields...,
    // "-", fs type, source, super options.
    std::vector<std::string_view> f = SplitFields(line);
    std::size_t sep = 6;
    while (sep < f.size() && f[sep] != "-") {
      ++sep;
    }
    if (sep + 2 >= f.size()) {
      ++*parse_errors;
      continue;
    }
    std::string_view dev = f[2];
    std::size_t colon = dev.find(':');
    std::optional<std::uint64_t> major =
        colon == std::string_view::npos ? std::nullopt : ParseUint(dev.substr(0, colon));
    std::optional<std::uint64_t> minor =
        colon == std::string_view::npos ? std::nullopt : ParseUint(dev.substr(colon + 1));
    if (!major || !minor || *major > UINT32_MAX || *minor > UINT32_MAX) {
      ++*parse_errors;
      continue;
    }
    MountInfo m;
    m.major = static_cast<std::uint32_t>(*major);
    m.minor = static_cast<std::uint32_t>(*minor);
    m.mount_point = UnescapeMountPath(f[4]);
    m.mount_options = std::string(f[5]);
    m.fs_type = std::string(f[sep + 1]);
    m.device = std::string(f[sep + 2]);
    m.super_options = sep + 3 < f.size() ? std::string(f[sep + 3]) : std::string();
    out.push_back(std::move(m));
  }
  return out;
}

constexpr RegexOption kMountPointsExclude{
    "filesystem", "mount-points-exclude", kDefaultMountPointsExclude,
    "Regexp of mount points to exclude for filesystem collector (mutually exclusive to mount-points-include)."};
constexpr RegexOption kMountPointsInclude{
    "filesystem", "mount-points-include", "",
    "Regexp of mount points to include for filesystem collector (mutually exclusive to mount-points-exclude)."};
constexpr RegexOption kFsTypesExclude{
    "filesystem", "fs-types-exclude", kDefaultFsTypesExclude,
    "Regexp of filesystem types to exclude for filesystem collector (mutually exclusive to fs-types-include)."};
constexpr RegexOption kFsTypesInclude{
    "filesystem", "fs-types-include", "",
    "Regexp of filesystem types to include for filesystem collector (mutually exclusive to fs-types-exclude)."};
constexpr DurationOption kMountTimeout{"filesystem", "mount-timeout", std::chrono::seconds(5),
                                       "How long to wait for a mount to respond before marking it as stale."};
constexpr IntOption kStatWorkers{"filesystem", "stat-workers", 4, "How many stat calls to process simultaneously."};

Result<CollectorPtr> MakeFilesystemCollector(const CollectorContext& ctx, StatfsFunction statfs) {
  const CollectorOptions& o = ctx.options;
  Result<DeviceFilter> mount_points =
      MakeDeviceFilter({"mount-points-exclude", "mount-points-include", kDefaultMountPointsExclude},
                       o.Get(kMountPointsExclude), o.Get(kMountPointsInclude));
  if (!mount_points.ok()) {
    return mount_points.status();
  }
  Result<DeviceFilter> fs_types = MakeDeviceFilter({"fs-types-exclude", "fs-types-include", kDefaultFsTypesExclude},
                                                   o.Get(kFsTypesExclude), o.Get(kFsTypesInclude));
  if (!fs_types.ok()) {
    return fs_types.status();
  }
  std::chrono::milliseconds timeout = o.Get(kMountTimeout);
  if (timeout.count() <= 0) {
    return Status::Error("mount-timeout must be positive");
  }
  long long workers = o.Get(kStatWorkers);
  auto runner =
      std::make_unique<StatfsRunner>(std::move(statfs), workers < 1 ? 1 : static_cast<std::size_t>(workers), timeout,
                                     ctx.statfs_threads ? ctx.statfs_threads : std::make_shared<StatfsThreads>());
  return CollectorPtr(std::make_unique<FilesystemCollector>(ctx.fs, std::move(mount_points).value(),
                                                            std::move(fs_types).value(), std::move(runner)));
}

CollectorSpec FilesystemCollectorSpec() {
  return {"filesystem",
          true,
          "Exposes filesystem size, free space and inodes of each mount (/proc/1/mountinfo + statfs): "
          "node_filesystem_*.",
          {kMountPointsExclude.Spec(), kMountPointsInclude.Spec(), kFsTypesExclude.Spec(), kFsTypesInclude.Spec(),
           kMountTimeout.Spec(), kStatWorkers.Spec()},
          [](const CollectorContext& ctx) { return MakeFilesystemCollector(ctx, SystemStatfs); }};
}

}  // namespace hostwatch
