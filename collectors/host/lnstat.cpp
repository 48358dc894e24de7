#include "collectors/host/lnstat.h"

#include <memory>
#include <optional>
#include <unordered_map>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// A column name makes the metric name node_lnstat_<name>_total, so it must
// be made of the characters a metric name allows.
bool ValidColumnName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    if (!ok) {
      return false;
    }
  }
  return true;
}

class LnstatCollector : public Collector {
 public:
  explicit LnstatCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> dir = fs_.OpenDir(fs_.ProcPath("net/stat"));
    Result<std::vector<std::string>> files =
        dir.ok() ? dir.value().List() : Result<std::vector<std::string>>(dir.status());
    if (!files.ok()) {
      return files.status();
    }
    for (const std::string& file : files.value()) {
      // node_exporter fails the whole scrape when one of the files cannot be read.
      Result<std::string> text = dir.value().ReadFile(file);
      if (!text.ok()) {
        return Status::Error("lnstat error: " + text.status().message());
      }
      std::uint64_t errors = 0;
      for (const auto& [column, values] : ParseLnstat(text.value(), &errors)) {
        const MetricDesc& desc = DescFor(column);
        for (std::size_t cpu = 0; cpu < values.size(); ++cpu) {
          sink.Add(desc, static_cast<double>(values[cpu]), {file, std::to_string(cpu)});
        }
      }
      sink.CountParseError(errors);
    }
    return Status::OK();
  }

 private:
  // One description per column name, kept for the collector's life: the sink
  // refers to descriptions by address, and unordered_map nodes do not move.
  const MetricDesc& DescFor(const std::string& column) {
    auto it = descs_.find(column);
    if (it == descs_.end()) {
      it = descs_
               .emplace(column, MetricDesc{"node_lnstat_" + column + "_total", "linux network cache stats",
                                           MetricType::Counter, {"subsystem", "cpu"}})
               .first;
    }
    return it->second;
  }

  const ProcFs& fs_;
  std::unordered_map<std::string, MetricDesc> descs_;
};

}  // namespace

std::map<std::string, std::vector<std::uint64_t>> ParseLnstat(std::string_view text, std::uint64_t* parse_errors) {
  std::map<std::string, std::vector<std::uint64_t>> out;
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.empty()) {
    return out;
  }
  const std::vector<std::string_view> header = SplitFields(lines[0]);
  std::vector<bool> valid;
  for (std::string_view name : header) {
    valid.push_back(ValidColumnName(name));
    *parse_errors += valid.back() ? 0 : 1;
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string_view> f = SplitFields(lines[i]);
    std::vector<std::uint64_t> row;
    for (std::size_t k = 0; k < f.size() && f.size() <= header.size(); ++k) {
      std::optional<std::uint64_t> v = ParseHexUint(f[k]);
      if (!v) {
        break;
      }
      row.push_back(*v);
    }
    if (row.size() != f.size()) {
      ++*parse_errors;
      continue;
    }
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (valid[k]) {
        out[std::string(header[k])].push_back(row[k]);
      }
    }
  }
  return out;
}

CollectorSpec LnstatCollectorSpec() {
  return {"lnstat",
          false,
          "Exposes every per-CPU counter of the /proc/net/stat/* files (arp_cache, ndisc_cache, nf_conntrack, "
          "rt_cache, ...) as node_lnstat_<column>_total{subsystem,cpu}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<LnstatCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
