#include "collectors/host/zfs.h"

#include <memory>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

constexpr int kKstatInt64 = 3;
constexpr int kKstatUint64 = 4;

// The named kstats node_exporter reads: metric subsystem -> file under
// /proc/spl/kstat/zfs. Files come and go with ZFS versions (vdev_cache_stats
// is gone from 2.2, xuio_stats from 0.8); a missing one is skipped.
struct KstatFile {
  std::string subsystem;
  std::string file;
};
const std::vector<KstatFile> kKstatFiles = {
    {"zfs_abd", "abdstats"},
    {"zfs_arc", "arcstats"},
    {"zfs_dbuf", "dbufstats"},
    {"zfs_dmu_tx", "dmu_tx"},
    {"zfs_dnode", "dnodestats"},
    {"zfs_fm", "fm"},
    {"zfs_vdev_cache", "vdev_cache_stats"},
    {"zfs_vdev_mirror", "vdev_mirror_stats"},
    {"zfs_xuio", "xuio_stats"},
    {"zfs_zfetch", "zfetchstats"},
    {"zfs_zil", "zil"},
};

const std::vector<std::string> kNoLabels;

// Splits a line into its first three fields and the rest of the line from
// the third on; false with fewer than three fields.
bool SplitRow(std::string_view line, std::string_view* name, std::string_view* type, std::string_view* data) {
  std::vector<std::string_view> f = SplitFields(line);
  if (f.size() < 3) {
    return false;
  }
  *name = f[0];
  *type = f[1];
  *data = line.substr(static_cast<std::size_t>(f[2].data() - line.data()));
  return true;
}

// The row's number for a numeric type; false when it does not parse.
bool ParseRowValue(int type, std::string_view data, double* value) {
  std::vector<std::string_view> f = SplitFields(data);
  if (type == kKstatUint64) {
    std::optional<std::uint64_t> v = ParseUint(f[0]);
    *value = v ? static_cast<double>(*v) : 0;
    return v.has_value();
  }
  std::optional<std::int64_t> v = ParseInt(f[0]);
  *value = v ? static_cast<double>(*v) : 0;
  return v.has_value();
}

class ZfsCollector : public Collector {
 public:
  explicit ZfsCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    // No /proc/spl/kstat/zfs: the zfs module is not loaded: no data.
    Result<DirHandle> root = fs_.OpenDir(fs_.ProcPath("spl/kstat/zfs"));
    if (!root.ok()) {
      return root.status();
    }
    for (const KstatFile& f : kKstatFiles) {
      Result<std::string> text = root.value().ReadFile(f.file);
      if (!text.ok() && text.status().no_data()) {
        continue;
      }
      if (!text.ok()) {
        return text.status();
      }
      AddKstat(f, text.value(), sink);
    }
    return AddZfsPoolMetrics(root.value(), descs_, sink);
  }

 private:
  void AddKstat(const KstatFile& f, std::string_view text, MetricSink& sink) {
    std::uint64_t errors = 0;
    std::optional<std::vector<KstatRow>> rows = ParseKstat(text, &errors);
    sink.CountParseError(errors);
    if (!rows) {
      return;
    }
    for (const KstatRow& row : *rows) {
      if (row.type != kKstatInt64 && row.type != kKstatUint64) {
        continue;
      }
      const MetricDesc& desc = descs_.Get("node_" + f.subsystem + "_" + ZfsMetricName(row.name),
                                          "kstat.zfs.misc." + f.file + "." + row.name, MetricType::Untyped, kNoLabels);
      sink.Add(desc, row.value);
    }
  }

  const ProcFs& fs_;
  ZfsDescs descs_;
};

}  // namespace

std::optional<std::vector<KstatRow>> ParseKstat(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<KstatRow> rows;
  bool in_table = false;
  for (std::string_view line : SplitLines(text)) {
    if (!in_table) {
      in_table = SplitFields(line) == std::vector<std::string_view>{"name", "type", "data"};
      continue;
    }
    std::string_view name, type, data;
    if (!SplitRow(line, &name, &type, &data)) {
      continue;
    }
    KstatRow row{std::string(name), -1, std::string(data), 0};
    if (std::optional<std::int64_t> t = ParseInt(type); t && *t >= 0 && *t <= 255) {
      row.type = static_cast<int>(*t);
    }
    if ((row.type == kKstatInt64 || row.type == kKstatUint64) && !ParseRowValue(row.type, data, &row.value)) {
      ++*parse_errors;
      continue;
    }
    rows.push_back(std::move(row));
  }
  if (!in_table) {
    ++*parse_errors;
    return std::nullopt;
  }
  return rows;
}

std::string ZfsMetricName(std::string_view kstat_name) {
  std::string name(kstat_name);
  for (char& c : name) {
    if (c == '-') {
      c = '_';
    }
  }
  return name;
}

const MetricDesc& ZfsDescs::Get(const std::string& name, const std::string& help, MetricType type,
                                const std::vector<std::string>& labels) {
  auto it = descs_.find(name);
  if (it == descs_.end()) {
    it = descs_.emplace(name, MetricDesc{name, help, type, labels}).first;
  }
  return it->second;
}

CollectorSpec ZfsCollectorSpec() {
  return {"zfs",
          true,
          "Exposes OpenZFS kstats (/proc/spl/kstat/zfs): ARC, ABD, dbuf, dmu_tx, dnode, fm, vdev cache/mirror, "
          "zfetch and ZIL counters as untyped node_zfs_<subsystem>_*, and per pool its io counters, each dataset's "
          "objset counters and its state (node_zfs_zpool_*).",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<ZfsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
