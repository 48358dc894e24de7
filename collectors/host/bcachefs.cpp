#include "collectors/host/bcachefs.h"

#include <memory>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

MetricDesc Desc(const std::string& name, std::string help, MetricType type, std::vector<std::string> labels) {
  return {"node_bcachefs_" + name, std::move(help), type, std::move(labels)};
}
const std::vector<std::string> kUuid = {"uuid"};
const std::vector<std::string> kUuidDevice = {"uuid", "device"};
const MetricDesc kInfo = Desc("info", "Filesystem information.", MetricType::Gauge, kUuid);
const MetricDesc kBtreeCacheSize =
    Desc("btree_cache_size_bytes", "Btree cache memory usage in bytes.", MetricType::Gauge, kUuid);
const MetricDesc kCompressed = Desc("compression_compressed_bytes", "Compressed size by algorithm.",
                                    MetricType::Gauge, {"uuid", "algorithm"});
const MetricDesc kUncompressed = Desc("compression_uncompressed_bytes", "Uncompressed size by algorithm.",
                                      MetricType::Gauge, {"uuid", "algorithm"});
const MetricDesc kErrors = Desc("errors_total", "Error count by error type.", MetricType::Counter,
                                {"uuid", "error_type"});
const MetricDesc kBtreeWrites =
    Desc("btree_writes_total", "Number of btree writes by type.", MetricType::Counter, {"uuid", "type"});
const MetricDesc kBtreeWriteSize = Desc("btree_write_average_size_bytes", "Average btree write size by type.",
                                        MetricType::Gauge, {"uuid", "type"});
const MetricDesc kDeviceInfo =
    Desc("device_info", "Device information.", MetricType::Gauge, {"uuid", "device", "label", "state"});
const MetricDesc kBucketSize =
    Desc("device_bucket_size_bytes", "Bucket size in bytes.", MetricType::Gauge, kUuidDevice);
const MetricDesc kBuckets = Desc("device_buckets", "Total number of buckets.", MetricType::Gauge, kUuidDevice);
const MetricDesc kDurability =
    Desc("device_durability", "Device durability setting.", MetricType::Gauge, kUuidDevice);
const MetricDesc kIoDone = Desc("device_io_done_bytes_total", "IO bytes by operation type and data type.",
                                MetricType::Counter, {"uuid", "device", "operation", "data_type"});
const MetricDesc kIoErrors = Desc("device_io_errors_total", "IO errors by error type.", MetricType::Counter,
                                  {"uuid", "device", "type"});

// A file whose absence means "nothing to report" (the kernel version lacks
// it): nullopt. Any other read failure fails the scrape, as upstream.
Result<std::optional<std::string>> ReadOptional(const DirHandle& dir, std::string_view name) {
  Result<std::string> text = dir.ReadFile(name);
  if (text.ok()) {
    return std::optional<std::string>(std::move(text).value());
  }
  if (text.status().no_data()) {
    return std::optional<std::string>();
  }
  return text.status();
}

// Reads the optional file `name` and parses it with `parse` into *out; a
// parse failure is returned as a status with no_data() false and no errno.
template <typename T, typename Parse>
Status ReadParsed(const DirHandle& dir, std::string_view name, Parse parse, T* out, bool* garbage) {
  Result<std::optional<std::string>> text = ReadOptional(dir, name);
  if (!text.ok() || !text.value()) {
    return text.ok() ? Status::OK() : text.status();
  }
  std::optional<T> v = parse(TrimSpace(*text.value()));
  if (!v) {
    *garbage = true;
    return Status::OK();
  }
  *out = std::move(*v);
  return Status::OK();
}

// btree_cache_size: an empty file reads as 0, unlike the other sizes.
std::optional<std::uint64_t> ParseCacheSize(std::string_view s) {
  return s.empty() ? std::optional<std::uint64_t>(0) : ParseBcachefsBytes(s);
}

class BcachefsCollector : public Collector {
 public:
  explicit BcachefsCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> root = fs_.OpenDir(fs_.SysPath("fs/bcachefs"));
    if (!root.ok()) {
      return root.status();
    }
    Result<std::vector<std::string>> uuids = root.value().List();
    if (!uuids.ok()) {
      return uuids.status();
    }
    // Every filesystem is read before anything is exported: a read failure
    // fails the scrape, as in node_exporter; one with unparsable content is
    // left out and counted.
    std::vector<std::pair<std::string, BcachefsFilesystem>> filesystems;
    for (const std::string& uuid : uuids.value()) {
      Result<DirHandle> dir = root.value().OpenDir(uuid);
      if (!dir.ok()) {
        if (dir.status().no_data()) {
          continue;  // a file, not a filesystem directory
        }
        return dir.status();
      }
      bool garbage = false;
      BcachefsFilesystem f;
      if (Status s = ReadFilesystem(dir.value(), &f, &garbage); !s.ok()) {
        return s;
      }
      if (garbage) {
        sink.CountParseError(1);
        continue;
      }
      filesystems.emplace_back(uuid, std::move(f));
    }
    if (filesystems.empty()) {
      return Status::NoData("no bcachefs filesystem in " + fs_.SysPath("fs/bcachefs"));
    }
    for (const auto& [uuid, f] : filesystems) {
      Add(uuid, f, sink);
    }
    return Status::OK();
  }

 private:
  static Status ReadFilesystem(const DirHandle& dir, BcachefsFilesystem* f, bool* garbage) {
    for (Status s : {ReadParsed(dir, "btree_cache_size", ParseCacheSize, &f->btree_cache_size, garbage),
                     ReadParsed(dir, "compression_stats", ParseBcachefsCompression, &f->compression, garbage),
                     ReadParsed(dir, "errors", ParseBcachefsErrors, &f->errors, garbage),
                     ReadParsed(dir, "btree_write_stats", ParseBcachefsBtreeWrites, &f->btree_writes, garbage),
                     ReadCounters(dir, f, garbage)}) {
      if (!s.ok()) {
        return s;
      }
    }
    Result<std::vector<std::string>> names = dir.List();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& name : names.value()) {
      if (!name.starts_with("dev-")) {
        continue;
      }
      Result<DirHandle> dev = dir.OpenDir(name);
      if (!dev.ok() && dev.status().no_data()) {
        continue;
      }
      Status s = dev.ok() ? ReadDevice(dev.value(), &f->devices[name.substr(4)], garbage) : dev.status();
      if (!s.ok()) {
        return s;
      }
    }
    return Status::OK();
  }

  static Status ReadCounters(const DirHandle& dir, BcachefsFilesystem* f, bool* garbage) {
    Result<DirHandle> counters = dir.OpenDir("counters");
    if (!counters.ok()) {
      return counters.status().no_data() ? Status::OK() : counters.status();
    }
    Result<std::vector<std::string>> names = counters.value().List();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& name : names.value()) {
      Result<std::optional<std::string>> text = ReadOptional(counters.value(), name);
      if (!text.ok() && text.status().sys_errno() == EISDIR) {
        continue;  // a subdirectory, not a counter
      }
      if (!text.ok()) {
        return text.status();
      }
      std::optional<std::uint64_t> v = ParseBcachefsCounter(text.value().value_or(""));
      *garbage = *garbage || !v;
      f->counters[name] = v.value_or(0);
    }
    return Status::OK();
  }

  static Status ReadDevice(const DirHandle& dev, BcachefsDevice* d, bool* garbage) {
    // label, state and bucket_size are best effort upstream: unreadable reads as empty.
    for (auto [file, field] : {std::pair{"label", &d->label}, std::pair{"state", &d->state}}) {
      Result<std::string> v = dev.ReadAttribute(file);
      *field = v.ok() ? std::string(TrimSpace(v.value())) : "";
    }
    Result<std::string> bucket_size = dev.ReadAttribute("bucket_size");
    if (bucket_size.ok() && !TrimSpace(bucket_size.value()).empty()) {
      std::optional<std::uint64_t> v = ParseBcachefsBytes(bucket_size.value());
      *garbage = *garbage || !v;
      d->bucket_size = v.value_or(0);
    }
    for (Status s : {ReadParsed(dev, "nbuckets", ParseUint, &d->buckets, garbage),
                     ReadParsed(dev, "durability", ParseUint, &d->durability, garbage),
                     ReadParsed(dev, "io_done", ParseBcachefsIoDone, &d->io_done, garbage),
                     ReadParsed(dev, "io_errors", ParseBcachefsIoErrors, &d->io_errors, garbage)}) {
      if (!s.ok()) {
        return s;
      }
    }
    return Status::OK();
  }

  // The family of one counters/<name> file, made once and kept: the sink
  // refers to descriptions, and the kernel's set of counters is fixed.
  const MetricDesc& CounterDesc(const std::string& name) {
    auto it = counter_descs_.find(name);
    if (it == counter_descs_.end()) {
      it = counter_descs_
               .emplace(name, Desc(SanitizeMetricName(name) + "_total",
                                   "Bcachefs counter " + name + " since filesystem creation.", MetricType::Counter,
                                   kUuid))
               .first;
    }
    return it->second;
  }

  void Add(const std::string& uuid, const BcachefsFilesystem& f, MetricSink& sink) {
    sink.Add(kInfo, 1, {uuid});
    sink.Add(kBtreeCacheSize, static_cast<double>(f.btree_cache_size), {uuid});
    for (const auto& [algorithm, c] : f.compression) {
      sink.Add(kCompressed, static_cast<double>(c.compressed), {uuid, algorithm});
      sink.Add(kUncompressed, static_cast<double>(c.uncompressed), {uuid, algorithm});
    }
    for (const auto& [type, count] : f.errors) {
      sink.Add(kErrors, static_cast<double>(count), {uuid, type});
    }
    for (const auto& [name, value] : f.counters) {
      sink.Add(CounterDesc(name), static_cast<double>(value), {uuid});
    }
    for (const auto& [type, w] : f.btree_writes) {
      sink.Add(kBtreeWrites, static_cast<double>(w.count), {uuid, type});
      sink.Add(kBtreeWriteSize, static_cast<double>(w.size), {uuid, type});
    }
    for (const auto& [device, d] : f.devices) {
      AddDevice(uuid, device, d, sink);
    }
  }

  static void AddDevice(const std::string& uuid, const std::string& device, const BcachefsDevice& d,
                        MetricSink& sink) {
    sink.Add(kDeviceInfo, 1, {uuid, device, d.label, d.state});
    sink.Add(kBucketSize, static_cast<double>(d.bucket_size), {uuid, device});
    sink.Add(kBuckets, static_cast<double>(d.buckets), {uuid, device});
    sink.Add(kDurability, static_cast<double>(d.durability), {uuid, device});
    for (const auto& [op, types] : d.io_done) {
      for (const auto& [type, bytes] : types) {
        sink.Add(kIoDone, static_cast<double>(bytes), {uuid, device, op, type});
      }
    }
    for (const auto& [type, count] : d.io_errors) {
      sink.Add(kIoErrors, static_cast<double>(count), {uuid, device, type});
    }
  }

  const ProcFs& fs_;
  std::map<std::string, MetricDesc> counter_descs_;
};

}  // namespace

CollectorSpec BcachefsCollectorSpec() {
  return {"bcachefs",
          true,
          "Exposes bcachefs filesystems from /sys/fs/bcachefs: node_bcachefs_{info,btree_cache_size_bytes,"
          "compression_*,errors_total,btree_writes_total,...}, one node_bcachefs_<counter>_total per counters/ "
          "file, and node_bcachefs_device_* per member device.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<BcachefsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
