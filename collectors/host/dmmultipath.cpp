#include "collectors/host/dmmultipath.h"

#include <cerrno>
#include <memory>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kDeviceLabels = {"device", "sysfs_name"};
const MetricDesc kInfo{"node_dmmultipath_device_info", "Non-numeric information about a DM-multipath device.",
                       MetricType::Gauge, std::vector<std::string>{"device", "sysfs_name", "uuid"}};
const MetricDesc kActive{"node_dmmultipath_device_active",
                         "Whether the multipath device-mapper device is active (1) or suspended (0).",
                         MetricType::Gauge, kDeviceLabels};
const MetricDesc kSize{"node_dmmultipath_device_size_bytes",
                       "Size of the multipath device in bytes, read from /sys/block/<dm>/size.", MetricType::Gauge,
                       kDeviceLabels};
const MetricDesc kPaths{"node_dmmultipath_device_paths", "Number of paths for a multipath device.", MetricType::Gauge,
                        kDeviceLabels};
const MetricDesc kPathsActive{"node_dmmultipath_device_paths_active",
                              "Number of paths in active state (SCSI running or NVMe live) for a multipath device.",
                              MetricType::Gauge, kDeviceLabels};
const MetricDesc kPathsFailed{"node_dmmultipath_device_paths_failed",
                              "Number of paths not in active state for a multipath device.", MetricType::Gauge,
                              kDeviceLabels};
const MetricDesc kPathState{
    "node_dmmultipath_path_state",
    "Reports the underlying device state for a multipath path, as read from /sys/block/<dev>/device/state.",
    MetricType::Gauge, std::vector<std::string>{"device", "path", "state"}};

// Linux counts block device sizes in 512-byte sectors whatever the device's block size.
constexpr double kSectorSize = 512;

// node_exporter treats a missing or unreadable file of a multipath device as
// "no data" for the whole scrape (the device is being torn down, or the agent
// lacks permission), and any other failure as an error.
Status AsScanStatus(const Status& s) {
  if (s.no_data() || s.sys_errno() == EACCES || s.sys_errno() == EPERM) {
    return Status::NoData(s.message(), s.sys_errno());
  }
  return s;
}

class DmmultipathCollector : public Collector {
 public:
  explicit DmmultipathCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> block = fs_.OpenDir(fs_.SysPath("block"));
    if (!block.ok()) {
      return AsScanStatus(block.status());
    }
    Result<std::vector<std::string>> names = block.value().List();
    if (!names.ok()) {
      return AsScanStatus(names.status());
    }
    // The whole scan comes first: a device that fails to read fails the
    // scrape before anything is exported, as in node_exporter.
    std::vector<DmMultipathDevice> devices;
    for (const std::string& name : names.value()) {
      if (name.rfind("dm-", 0) != 0) {
        continue;
      }
      Status s = ReadDevice(block.value(), name, sink, &devices);
      if (!s.ok()) {
        return AsScanStatus(s);
      }
    }
    for (const DmMultipathDevice& d : devices) {
      Add(d, sink);
    }
    return Status::OK();
  }

 private:
  static Status ReadDevice(const DirHandle& block, const std::string& name, MetricSink& sink,
                           std::vector<DmMultipathDevice>* out) {
    Result<DirHandle> dir = block.OpenDir(name);
    if (!dir.ok()) {
      return dir.status();
    }
    DmMultipathFiles files;
    Result<std::string> uuid = dir.value().ReadAttribute("dm/uuid");
    if (!uuid.ok()) {
      // Not a device-mapper device after all: skipped, as upstream does.
      return uuid.status().no_data() ? Status::OK() : uuid.status();
    }
    files.uuid = std::move(uuid).value();
    if (TrimSpace(files.uuid).rfind("mpath-", 0) != 0) {
      return Status::OK();
    }
    for (auto [file, field] : {std::pair{"dm/name", &files.name}, std::pair{"dm/suspended", &files.suspended},
                               std::pair{"size", &files.size}}) {
      Result<std::string> v = dir.value().ReadAttribute(file);
      if (!v.ok()) {
        return v.status();
      }
      *field = std::move(v).value();
    }
    Status paths = ReadPathStates(block, dir.value(), &files);
    if (!paths.ok()) {
      return paths;
    }
    std::uint64_t errors = 0;
    std::optional<DmMultipathDevice> device = ParseDmMultipathDevice(name, files, &errors);
    sink.CountParseError(errors);
    if (device) {
      out->push_back(std::move(*device));
    }
    return Status::OK();
  }

  // Each entry of slaves/ is a path; its state is /sys/block/<path>/device/state.
  static Status ReadPathStates(const DirHandle& block, const DirHandle& dm, DmMultipathFiles* files) {
    Result<DirHandle> slaves = dm.OpenDir("slaves");
    if (!slaves.ok()) {
      return slaves.status().no_data() ? Status::OK() : slaves.status();
    }
    Result<std::vector<std::string>> names = slaves.value().List();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& path : names.value()) {
      Result<std::string> state = block.ReadAttribute(path + "/device/state");
      if (!state.ok()) {
        return state.status();
      }
      files->path_states.emplace_back(path, std::move(state).value());
    }
    return Status::OK();
  }

  static void Add(const DmMultipathDevice& d, MetricSink& sink) {
    sink.Add(kInfo, 1, {d.name, d.sysfs_name, d.uuid});
    sink.Add(kActive, d.suspended ? 0 : 1, {d.name, d.sysfs_name});
    sink.Add(kSize, d.size_bytes, {d.name, d.sysfs_name});
    double active = 0;
    for (const DmMultipathPath& p : d.paths) {
      active += IsDmMultipathPathActive(p.state) ? 1 : 0;
      sink.Add(kPathState, 1, {d.name, p.device, p.state});
    }
    const double total = static_cast<double>(d.paths.size());
    sink.Add(kPaths, total, {d.name, d.sysfs_name});
    sink.Add(kPathsActive, active, {d.name, d.sysfs_name});
    sink.Add(kPathsFailed, total - active, {d.name, d.sysfs_name});
  }

  const ProcFs& fs_;
};

}  // namespace

bool IsDmMultipathPathActive(std::string_view state) { return state == "running" || state == "live"; }

std::optional<DmMultipathDevice> ParseDmMultipathDevice(std::string_view sysfs_name, const DmMultipathFiles& files,
                                                        std::uint64_t* parse_errors) {
  const std::string_view uuid = TrimSpace(files.uuid);
  if (uuid.rfind("mpath-", 0) != 0) {
    return std::nullopt;
  }
  std::optional<std::uint64_t> suspended = ParseUint(TrimSpace(files.suspended));
  std::optional<std::uint64_t> sectors = ParseUint(TrimSpace(files.size));
  if (!suspended || !sectors) {
    ++*parse_errors;
    return std::nullopt;
  }
  DmMultipathDevice d;
  d.name = std::string(TrimSpace(files.name));
  d.sysfs_name = std::string(sysfs_name);
  d.uuid = std::string(uuid);
  d.suspended = *suspended == 1;
  d.size_bytes = static_cast<double>(*sectors) * kSectorSize;
  for (const auto& [device, state] : files.path_states) {
    d.paths.push_back({device, std::string(TrimSpace(state))});
  }
  return d;
}

CollectorSpec DmmultipathCollectorSpec() {
  return {"dmmultipath",
          true,
          "Exposes device-mapper multipath devices from /sys/block/dm-* and the state of their paths: "
          "node_dmmultipath_device_{info,active,size_bytes,paths,paths_active,paths_failed}, "
          "node_dmmultipath_path_state.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<DmmultipathCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
