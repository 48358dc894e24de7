#include "collectors/host/diskstats.h"

#include <array>
#include <set>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// /proc/diskstats times are milliseconds; node_exporter multiplies by 1/1000
// (not divides), and the last bits of its output depend on that.
constexpr double kSecondsPerTick = 1.0 / 1000.0;
// Sector counts are in 512-byte units whatever the device's block size.
constexpr double kUnixSectorSize = 512.0;
// Columns every kernel since 2.6 has.
constexpr std::size_t kMinStatColumns = 11;

const std::vector<std::string> kDeviceLabel = {"device"};

// One family per /proc/diskstats column, in column order, with the factor that
// turns the raw column into the exported unit.
struct StatColumn {
  MetricDesc desc;
  double scale;
};
const std::array<StatColumn, 17> kStatColumns = {{
    {{"node_disk_reads_completed_total", "The total number of reads completed successfully.", MetricType::Counter,
      kDeviceLabel},
     1},
    {{"node_disk_reads_merged_total", "The total number of reads merged.", MetricType::Counter, kDeviceLabel}, 1},
    {{"node_disk_read_bytes_total", "The total number of bytes read successfully.", MetricType::Counter, kDeviceLabel},
     kUnixSectorSize},
    {{"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", MetricType::Counter,
      kDeviceLabel},
     kSecondsPerTick},
    {{"node_disk_writes_completed_total", "The total number of writes completed successfully.", MetricType::Counter,
      kDeviceLabel},
     1},
    {{"node_disk_writes_merged_total", "The number of writes merged.", MetricType::Counter, kDeviceLabel}, 1},
    {{"node_disk_written_bytes_total", "The total number of bytes written successfully.", MetricType::Counter,
      kDeviceLabel},
     kUnixSectorSize},
    {{"node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.",
      MetricType::Counter, kDeviceLabel},
     kSecondsPerTick},
    {{"node_disk_io_now", "The number of I/Os currently in progress.", MetricType::Gauge, kDeviceLabel}, 1},
    {{"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", MetricType::Counter, kDeviceLabel},
     kSecondsPerTick},
    {{"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", MetricType::Counter,
      kDeviceLabel},
     kSecondsPerTick},
    {{"node_disk_discards_completed_total", "The total number of discards completed successfully.", MetricType::Counter,
      kDeviceLabel},
     1},
    {{"node_disk_discards_merged_total", "The total number of discards merged.", MetricType::Counter, kDeviceLabel}, 1},
    // Sectors, not bytes: node_exporter exports the raw count here.
    {{"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", MetricType::Counter,
      kDeviceLabel},
     1},
    {{"node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.",
      MetricType::Counter, kDeviceLabel},
     kSecondsPerTick},
    // node_exporter's HELP has no final period here.
    {{"node_disk_flush_requests_total", "The total number of flush requests completed successfully",
      MetricType::Counter, kDeviceLabel},
     1},
    {{"node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.",
      MetricType::Counter, kDeviceLabel},
     kSecondsPerTick},
}};

const MetricDesc kDiskInfo{"node_disk_info",
                           "Info of /sys/block/<block_device>.",
                           MetricType::Gauge,
                           {"device", "major", "minor", "path", "wwn", "model", "serial", "revision", "rotational"}};
const MetricDesc kFilesystemInfo{"node_disk_filesystem_info",
                                 "Info about disk filesystem.",
                                 MetricType::Gauge,
                                 {"device", "type", "usage", "uuid", "version"}};
const MetricDesc kDeviceMapperInfo{"node_disk_device_mapper_info",
                                   "Info about disk device mapper.",
                                   MetricType::Gauge,
                                   {"device", "name", "uuid", "vg_name", "lv_name", "lv_layer"}};
const MetricDesc kDeviceMapperBacking{"node_disk_device_mapper_backing_device_info",
                                      "Info about the underlying block devices of a device mapper device.",
                                      MetricType::Gauge,
                                      {"device", "backing_device"}};

// node_disk_ata_* come from udev ID_ATA_* properties of ATA disks.
struct AtaProperty {
  const char* udev_key;
  MetricDesc desc;
};
const std::array<AtaProperty, 3> kAtaProperties = {{
    {"ID_ATA_WRITE_CACHE",
     {"node_disk_ata_write_cache", "ATA disk has a write cache.", MetricType::Gauge, kDeviceLabel}},
    {"ID_ATA_WRITE_CACHE_ENABLED",
     {"node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled.", MetricType::Gauge, kDeviceLabel}},
    {"ID_ATA_ROTATION_RATE_RPM",
     {"node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs).", MetricType::Gauge,
      kDeviceLabel}},
}};

std::string Lookup(const UdevProperties& props, std::string_view key) {
  auto it = props.find(key);
  return it == props.end() ? std::string() : it->second;
}

// The serial printed on the disk label when udev knows it, else the short
// serial, else the full one (virtio disks have only ID_SERIAL).
std::string DiskSerial(const UdevProperties& props) {
  for (std::string_view key : {"SCSI_IDENT_SERIAL", "ID_SERIAL_SHORT", "ID_SERIAL"}) {
    std::string v = Lookup(props, key);
    if (!v.empty()) {
      return v;
    }
  }
  return "";
}

}  // namespace

const UdevProperties& UdevCache::Lookup(const DirHandle& udev_dir, const std::string& file) {
  static const UdevProperties kNone;
  Result<FileIdentity> id = udev_dir.StatFile(file);
  if (!id.ok()) {
    entries_.erase(file);
    return kNone;
  }
  auto it = entries_.find(file);
  if (it != entries_.end() && it->second.id == id.value()) {
    return it->second.props;
  }
  Result<std::string> text = udev_dir.ReadFile(file);
  if (!text.ok()) {
    entries_.erase(file);
    return kNone;
  }
  // The identity from before the read: if udevd replaced the file in
  // between, the next scrape sees a new identity and reads it again.
  Entry& e = entries_.insert_or_assign(file, Entry{id.value(), ParseUdevProperties(text.value())}).first->second;
  return e.props;
}

void UdevCache::KeepOnly(const std::set<std::string, std::less<>>& files) {
  std::erase_if(entries_, [&files](const auto& entry) { return !files.contains(entry.first); });
}

namespace {

class DiskstatsCollector : public Collector {
 public:
  DiskstatsCollector(const ProcFs& fs, DeviceFilter filter) : fs_(fs), filter_(std::move(filter)) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("diskstats");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<DiskStatsLine> disks = ParseDiskstats(text.value(), &errors);
    sink.CountParseError(errors);
    // Per-disk files are opened relative to these two directories. Without
    // a udev database (containers, no udevd) there is nothing to look up.
    Result<DirHandle> udev_dir = fs_.OpenDir(fs_.roots().udev_data);
    Result<DirHandle> block_dir = fs_.OpenDir(fs_.SysPath("block"));
    std::set<std::string, std::less<>> seen;
    for (const DiskStatsLine& disk : disks) {
      if (filter_.Ignored(disk.device)) {
        continue;
      }
      std::string udev_file = "b" + std::to_string(disk.major) + ":" + std::to_string(disk.minor);
      const UdevProperties& props = udev_dir.ok() ? udev_.Lookup(udev_dir.value(), udev_file) : kNoProperties;
      seen.insert(std::move(udev_file));
      AddDisk(disk, props, block_dir.ok() ? &block_dir.value() : nullptr, sink);
    }
    udev_.KeepOnly(seen);
    return Status::OK();
  }

 private:
  void AddDisk(const DiskStatsLine& disk, const UdevProperties& props, const DirHandle* block_dir,
               MetricSink& sink) const {
    // A device without a udev entry still gets its counters and an info
    // series with empty labels.
    sink.Add(kDiskInfo, 1,
             {disk.device, std::to_string(disk.major), std::to_string(disk.minor), Lookup(props, "ID_PATH"),
              Lookup(props, "ID_WWN"), Lookup(props, "ID_MODEL"), DiskSerial(props), Lookup(props, "ID_REVISION"),
              Rotational(block_dir, disk.device)});

    for (std::size_t i = 0; i < disk.stats.size() && i < kStatColumns.size(); ++i) {
      sink.Add(kStatColumns[i].desc, static_cast<double>(disk.stats[i]) * kStatColumns[i].scale, {disk.device});
    }

    if (std::string type = Lookup(props, "ID_FS_TYPE"); !type.empty()) {
      sink.Add(kFilesystemInfo, 1,
               {disk.device, type, Lookup(props, "ID_FS_USAGE"), Lookup(props, "ID_FS_UUID"),
                Lookup(props, "ID_FS_VERSION")});
    }
    if (std::string name = Lookup(props, "DM_NAME"); !name.empty()) {
      sink.Add(kDeviceMapperInfo, 1,
               {disk.device, name, Lookup(props, "DM_UUID"), Lookup(props, "DM_VG_NAME"), Lookup(props, "DM_LV_NAME"),
                Lookup(props, "DM_LV_LAYER")});
      AddBackingDevices(block_dir, disk.device, sink);
    }
    if (!Lookup(props, "ID_ATA").empty()) {
      for (const AtaProperty& ata : kAtaProperties) {
        auto it = props.find(ata.udev_key);
        if (it == props.end()) {
          continue;
        }
        if (std::optional<double> v = ParseDouble(it->second)) {
          sink.Add(ata.desc, *v, {disk.device});
        } else {
          sink.CountParseError();
        }
      }
    }
  }

  // The disks under a dm device are the entries of /sys/block/<dev>/slaves.
  static void AddBackingDevices(const DirHandle* block_dir, const std::string& device, MetricSink& sink) {
    if (block_dir == nullptr) {
      return;
    }
    Result<DirHandle> slaves_dir = block_dir->OpenDir(device + "/slaves");
    if (!slaves_dir.ok()) {
      return;
    }
    if (Result<std::vector<std::string>> slaves = slaves_dir.value().List(); slaves.ok()) {
      for (const std::string& backing : slaves.value()) {
        sink.Add(kDeviceMapperBacking, 1, {device, backing});
      }
    }
  }

  // "1" for spinning disks, "0" otherwise or when sysfs does not say.
  static std::string Rotational(const DirHandle* block_dir, const std::string& device) {
    if (block_dir == nullptr) {
      return "0";
    }
    Result<std::string> r = block_dir->ReadAttribute(device + "/queue/rotational");
    if (r.ok()) {
      if (std::optional<std::uint64_t> v = ParseUint(TrimSpace(r.value()))) {
        return std::to_string(*v);
      }
    }
    return "0";
  }

  static inline const UdevProperties kNoProperties;

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const DeviceFilter filter_;
  UdevCache udev_;
};

}  // namespace

std::vector<DiskStatsLine> ParseDiskstats(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<DiskStatsLine> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    std::optional<std::uint64_t> major = ParseUint(f[0]);
    std::optional<std::uint64_t> minor = f.size() > 1 ? ParseUint(f[1]) : std::nullopt;
    if (f.size() < 3 + kMinStatColumns || !major || !minor || *major > UINT32_MAX || *minor > UINT32_MAX) {
      ++*parse_errors;
      continue;
    }
    DiskStatsLine disk;
    disk.major = static_cast<std::uint32_t>(*major);
    disk.minor = static_cast<std::uint32_t>(*minor);
    disk.device = std::string(f[2]);
    bool ok = true;
    for (std::size_t i = 3; i < f.size(); ++i) {
      std::optional<std::uint64_t> v = ParseUint(f[i]);
      if (!v) {
        ok = false;
        break;
      }
      disk.stats.push_back(*v);
    }
    if (!ok) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(disk));
  }
  return out;
}

UdevProperties ParseUdevProperties(std::string_view text) {
  UdevProperties props;
  for (std::string_view line : SplitLines(text)) {
    if (line.substr(0, 2) != "E:") {
      continue;
    }
    line.remove_prefix(2);
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    props.insert_or_assign(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return props;
}

constexpr RegexOption kDeviceExclude{"diskstats", "device-exclude", kDiskstatsDefaultDeviceExclude,
                                     "Regexp of diskstats devices to exclude (mutually exclusive to device-include)."};
constexpr RegexOption kDeviceInclude{"diskstats", "device-include", "",
                                     "Regexp of diskstats devices to include (mutually exclusive to device-exclude)."};

CollectorSpec DiskstatsCollectorSpec() {
  return {"diskstats",
          true,
          "Exposes disk I/O statistics (/proc/diskstats) and disk identity from the udev database: node_disk_*.",
          {kDeviceExclude.Spec(), kDeviceInclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> filter =
                MakeDeviceFilter({"device-exclude", "device-include", kDiskstatsDefaultDeviceExclude},
                                 ctx.options.Get(kDeviceExclude), ctx.options.Get(kDeviceInclude));
            if (!filter.ok()) {
              return filter.status();
            }
            return CollectorPtr(std::make_unique<DiskstatsCollector>(ctx.fs, std::move(filter).value()));
          }};
}

}  // namespace hostwatch
