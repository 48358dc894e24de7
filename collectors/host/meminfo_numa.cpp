#include "collectors/host/meminfo_numa.h"

#include <map>
#include <memory>
#include <optional>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

constexpr std::string_view kNodeDir = "devices/system/node";

// "nodeN..." -> "N" (the digits node_exporter's path regex captures), or nullopt
// for another entry of devices/system/node (possible, has_cpu, ...).
std::optional<std::string> NodeNumber(std::string_view entry) {
  if (!entry.starts_with("node") || entry.size() < 5 || entry[4] < '0' || entry[4] > '9') {
    return std::nullopt;
  }
  std::size_t end = 4;
  while (end < entry.size() && entry[end] >= '0' && entry[end] <= '9') {
    ++end;
  }
  return std::string(entry.substr(4, end - 4));
}

// Whether "node_memory_numa_" + part is a valid metric name.
bool IsMetricNamePart(std::string_view part) {
  for (char c : part) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// "Active(anon)" -> "Active_anon": upstream's regex \((.*)\) replaced by _$1,
// i.e. from the first '(' to the last ')' after it.
std::string MetricPartFromKey(std::string_view key) {
  const std::size_t open = key.find('(');
  const std::size_t close = key.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::string(key);
  }
  return std::string(key.substr(0, open)) + "_" + std::string(key.substr(open + 1, close - open - 1)) +
         std::string(key.substr(close + 1));
}

class MeminfoNumaCollector : public Collector {
 public:
  explicit MeminfoNumaCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> root = fs_.OpenDir(fs_.SysPath(kNodeDir));
    if (!root.ok()) {
      return root.status();  // NoData without CONFIG_NUMA
    }
    Result<std::vector<std::string>> entries = root.value().List();
    if (!entries.ok()) {
      return entries.status();
    }
    std::vector<NumaMemoryField> fields;
    std::uint64_t errors = 0;
    bool any_node = false;
    for (const std::string& entry : entries.value()) {
      std::optional<std::string> node = NodeNumber(entry);
      if (!node) {
        continue;
      }
      any_node = true;
      if (Status s = ReadNode(root.value(), entry, *node, &fields, &errors); !s.ok()) {
        return s;
      }
    }
    if (!any_node) {
      return Status::NoData("no nodeN directory under " + fs_.SysPath(kNodeDir));
    }
    sink.CountParseError(errors);
    for (const NumaMemoryField& f : fields) {
      sink.Add(DescFor(f), f.value, {f.node});
    }
    return Status::OK();
  }

 private:
  // Both files are required, as upstream requires them: a node directory
  // without them is broken rather than absent, so even ENOENT is an Error.
  static Status ReadNode(const DirHandle& root, const std::string& entry, const std::string& node,
                         std::vector<NumaMemoryField>* fields, std::uint64_t* errors) {
    Result<DirHandle> dir = root.OpenDir(entry);
    if (!dir.ok()) {
      return Status::Error(dir.status().message());
    }
    Result<std::string> meminfo = dir.value().ReadFile("meminfo");
    if (!meminfo.ok()) {
      return Status::Error(meminfo.status().message());
    }
    Result<std::string> numastat = dir.value().ReadFile("numastat");
    if (!numastat.ok()) {
      return Status::Error(numastat.status().message());
    }
    for (NumaMemoryField& f : ParseNodeMeminfo(meminfo.value(), errors)) {
      fields->push_back(std::move(f));
    }
    for (NumaMemoryField& f : ParseNumastat(numastat.value(), node, errors)) {
      fields->push_back(std::move(f));
    }
    return Status::OK();
  }

  // The field set depends on the kernel, so descriptors are built on first
  // sight and kept: the sink refers to them by address (std::map nodes stay put).
  const MetricDesc& DescFor(const NumaMemoryField& f) {
    auto it = descs_.find(f.name);
    if (it == descs_.end()) {
      MetricDesc desc{"node_memory_numa_" + f.name,
                      "Memory information field " + f.name + ".",
                      f.counter ? MetricType::Counter : MetricType::Gauge,
                      {"node"}};
      it = descs_.emplace(f.name, std::move(desc)).first;
    }
    return it->second;
  }

  const ProcFs& fs_;
  std::map<std::string, MetricDesc> descs_;
};

}  // namespace

std::vector<NumaMemoryField> ParseNodeMeminfo(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<NumaMemoryField> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(TrimSpace(line));
    if (f.empty()) {
      continue;
    }
    // "Node <n> <Key>: <value> [kB]"
    const bool shape_ok = f.size() == 4 || (f.size() == 5 && f[4] == "kB");
    std::optional<double> value = shape_ok ? ParseDouble(f[3]) : std::nullopt;
    std::string_view key = shape_ok ? f[2] : std::string_view{};
    while (!key.empty() && key.back() == ':') {
      key.remove_suffix(1);
    }
    std::string name = MetricPartFromKey(key);
    if (!value.has_value() || !IsMetricNamePart(name)) {
      ++*parse_errors;
      continue;
    }
    const double scale = f.size() == 5 ? 1024 : 1;
    out.push_back({std::string(f[1]), std::move(name), value.value_or(0) * scale, false});
  }
  return out;
}

std::vector<NumaMemoryField> ParseNumastat(std::string_view text, std::string_view node, std::uint64_t* parse_errors) {
  std::vector<NumaMemoryField> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(TrimSpace(line));
    if (f.empty()) {
      continue;
    }
    std::optional<double> value = f.size() == 2 ? ParseDouble(f[1]) : std::nullopt;
    if (!value || !IsMetricNamePart(f[0])) {
      ++*parse_errors;
      continue;
    }
    out.push_back({std::string(node), std::string(f[0]) + "_total", *value, true});
  }
  return out;
}

CollectorSpec MeminfoNumaCollectorSpec() {
  return {"meminfo_numa",
          false,
          "Exposes memory statistics per NUMA node from sysfs devices/system/node/nodeN/{meminfo,numastat}: "
          "node_memory_numa_<Field>, node_memory_numa_<counter>_total.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<MeminfoNumaCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
