// The pool part of the zfs collector: /proc/spl/kstat/zfs/<pool>/io,
// objset-<id> (one per dataset) and state.
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"
#include "collectors/host/zfs.h"

namespace hostwatch {
namespace {

constexpr const char* kPoolStates[] = {"online", "degraded", "faulted", "offline", "removed", "unavail", "suspended"};
const std::vector<std::string> kPool = {"zpool"};
const std::vector<std::string> kDataset = {"zpool", "dataset"};
const std::vector<std::string> kPoolState = {"zpool", "state"};
const MetricDesc kState{"node_zfs_zpool_state", "kstat.zfs.misc.state", MetricType::Gauge, kPoolState};

constexpr int kKstatUint64 = 4;

// A pool's file; missing (the pool is being exported, or an older ZFS): nullopt.
Result<std::optional<std::string>> ReadPoolFile(const DirHandle& pool, std::string_view file) {
  Result<std::string> text = pool.ReadFile(file);
  if (!text.ok() && text.status().no_data()) {
    return std::optional<std::string>();
  }
  if (!text.ok()) {
    return text.status();
  }
  return std::optional<std::string>(std::move(text.value()));
}

void AddObjset(const std::string& pool, std::string_view text, ZfsDescs& descs, MetricSink& sink) {
  std::uint64_t errors = 0;
  std::optional<std::vector<KstatRow>> rows = ParseKstat(text, &errors);
  sink.CountParseError(errors);
  if (!rows) {
    return;
  }
  // dataset_name comes first; node_exporter labels each row with the name
  // seen so far.
  std::string dataset;
  for (const KstatRow& row : *rows) {
    if (row.name == "dataset_name") {
      dataset = row.data;
    } else if (row.type == kKstatUint64) {
      const MetricDesc& desc = descs.Get("node_zfs_zpool_dataset_" + ZfsMetricName(row.name),
                                         "kstat.zfs.misc.objset." + row.name, MetricType::Untyped, kDataset);
      sink.Add(desc, row.value, {pool, dataset});
    }
  }
}

// What one pool directory holds, read before anything is added.
struct PoolFiles {
  std::string name;
  std::optional<std::string> io, state;
  std::vector<std::string> objsets;
};

Result<PoolFiles> ReadPool(const DirHandle& pool, const std::string& name) {
  PoolFiles p{name, {}, {}, {}};
  Result<std::vector<std::string>> files = pool.List();
  if (!files.ok()) {
    return files.status();
  }
  for (const std::string& file : files.value()) {
    if (file != "io" && file != "state" && !file.starts_with("objset-")) {
      continue;
    }
    Result<std::optional<std::string>> text = ReadPoolFile(pool, file);
    if (!text.ok()) {
      return text.status();
    }
    if (!text.value()) {
      continue;
    }
    if (file == "io") {
      p.io = std::move(*text.value());
    } else if (file == "state") {
      p.state = std::move(*text.value());
    } else {
      p.objsets.push_back(std::move(*text.value()));
    }
  }
  return p;
}

}  // namespace

std::vector<std::pair<std::string, std::uint64_t>> ParseZfsPoolIo(std::string_view text,
                                                                  std::uint64_t* parse_errors) {
  std::vector<std::pair<std::string, std::uint64_t>> values;
  std::vector<std::string_view> header;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (header.empty()) {
      if (f.size() >= 12 && f[0] == "nread") {
        header = std::move(f);
      }
      continue;
    }
    std::vector<std::pair<std::string, std::uint64_t>> row;
    for (std::size_t i = 0; i < f.size() && f.size() == header.size(); ++i) {
      if (std::optional<std::uint64_t> v = ParseUint(f[i])) {
        row.emplace_back(std::string(header[i]), *v);
      }
    }
    if (row.size() != header.size()) {
      ++*parse_errors;
      continue;
    }
    values.insert(values.end(), row.begin(), row.end());
  }
  return values;
}

std::string ParseZfsPoolState(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  return lines.empty() ? std::string() : AsciiToLower(lines[0]);
}

Status AddZfsPoolMetrics(const DirHandle& kstat_root, ZfsDescs& descs, MetricSink& sink) {
  Result<std::vector<std::string>> names = kstat_root.List();
  if (!names.ok()) {
    return names.status();
  }
  std::vector<PoolFiles> pools;
  for (const std::string& name : names.value()) {
    Result<DirHandle> dir = kstat_root.OpenDir(name);
    if (!dir.ok() && dir.status().no_data()) {
      continue;  // a named kstat file such as arcstats, not a pool
    }
    Result<PoolFiles> pool = dir.ok() ? ReadPool(dir.value(), name) : dir.status();
    if (!pool.ok()) {
      return pool.status();
    }
    pools.push_back(std::move(pool.value()));
  }
  for (const PoolFiles& p : pools) {
    if (p.io) {
      std::uint64_t errors = 0;
      for (const auto& [field, value] : ParseZfsPoolIo(*p.io, &errors)) {
        const MetricDesc& desc = descs.Get("node_zfs_zpool_" + ZfsMetricName(field), "kstat.zfs.misc.io." + field,
                                           MetricType::Untyped, kPool);
        sink.Add(desc, static_cast<double>(value), {p.name});
      }
      sink.CountParseError(errors);
    }
    for (const std::string& objset : p.objsets) {
      AddObjset(p.name, objset, descs, sink);
    }
    if (p.state) {
      const std::string actual = ParseZfsPoolState(*p.state);
      for (const char* state : kPoolStates) {
        sink.Add(kState, actual == state ? 1 : 0, {p.name, state});
      }
    }
  }
  return Status::OK();
}

}  // namespace hostwatch
