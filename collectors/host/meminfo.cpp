#include "collectors/host/meminfo.h"

#include <deque>
#include <map>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// "Active(anon)" -> "Active_anon": node_exporter's renaming of the parenthesized keys.
std::string MetricPartFromKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '(') {
      out.push_back('_');
    } else if (c != ')') {
      out.push_back(c);
    }
  }
  return out;
}

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("meminfo");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<MeminfoField> fields = ParseMeminfo(text.value(), &errors);
    sink.CountParseError(errors);
    if (fields.empty()) {
      return Status::Error("no fields in " + fs_.ProcPath("meminfo"));
    }
    for (const MeminfoField& f : fields) {
      sink.Add(DescFor(f.name), f.value);
    }
    return Status::OK();
  }

 private:
  // The field set is dynamic (it depends on the kernel), so descriptors are
  // built on first sight and kept: the sink refers to them by address.
  const MetricDesc& DescFor(const std::string& name) {
    auto it = descs_.find(name);
    if (it == descs_.end()) {
      it = descs_
               .emplace(
                   name,
                   MetricDesc{"node_memory_" + name, "Memory information field " + name + ".", MetricType::Gauge, {}})
               .first;
    }
    return it->second;
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  std::map<std::string, MetricDesc> descs_;  // node-based: addresses stay valid
};

}  // namespace

std::vector<MeminfoField> ParseMeminfo(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<MeminfoField> out;
  for (std::string_view line : SplitLines(text)) {
    if (TrimSpace(line).empty()) {
      continue;
    }
    std::size_t colon = line.find(':');
    std::vector<std::string_view> f =
        colon == std::string_view::npos ? std::vector<std::string_view>{} : SplitFields(line.substr(colon + 1));
    std::optional<std::uint64_t> v = f.empty() ? std::nullopt : ParseUint(f[0]);
    std::string_view key = colon == std::string_view::npos ? std::string_view{} : TrimSpace(line.substr(0, colon));
    if (!v || key.empty() || f.size() > 2 || (f.size() == 2 && f[1] != "kB")) {
      ++*parse_errors;
      continue;
    }
    MeminfoField field;
    field.name = MetricPartFromKey(key);
    field.value = static_cast<double>(*v);
    if (f.size() == 2) {
      field.name += "_bytes";
      field.value *= 1024;
    }
    out.push_back(std::move(field));
  }
  return out;
}

CollectorSpec MeminfoCollectorSpec() {
  return {"meminfo",
          true,
          "Exposes memory statistics from /proc/meminfo: node_memory_<Field>_bytes (e.g. MemTotal, MemAvailable).",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<MeminfoCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
