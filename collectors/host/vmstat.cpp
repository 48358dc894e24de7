#include "collectors/host/vmstat.h"

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <unordered_map>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

constexpr const char* kDefaultFields = "^(oom_kill|pgpg|pswp|pg.*fault).*";

class VmstatCollector : public Collector {
 public:
  VmstatCollector(const ProcFs& fs, std::unique_ptr<RE2> fields) : fs_(fs), fields_(std::move(fields)) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("vmstat");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<VmstatField> fields = ParseVmstat(text.value(), &errors);
    sink.CountParseError(errors);
    for (const VmstatField& f : fields) {
      if (const MetricDesc* desc = DescFor(f.name)) {
        sink.Add(*desc, f.value);
      }
    }
    return Status::OK();
  }

 private:
  // The descriptor of a selected field, or nullptr when the fields regexp
  // rejects it. The kernel's field names are a fixed set, so each name is
  // matched once and the answer kept: no regexp runs on later scrapes.
  const MetricDesc* DescFor(const std::string& name) {
    auto it = descs_.find(name);
    if (it == descs_.end()) {
      std::optional<MetricDesc> desc;
      if (RE2::PartialMatch(name, *fields_)) {
        desc =
            MetricDesc{"node_vmstat_" + name, "/proc/vmstat information field " + name + ".", MetricType::Untyped, {}};
      }
      it = descs_.emplace(name, std::move(desc)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  std::unique_ptr<RE2> fields_;
  // Node-based: addresses stay valid for the sink.
  std::unordered_map<std::string, std::optional<MetricDesc>> descs_;
};

}  // namespace

std::vector<VmstatField> ParseVmstat(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<VmstatField> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    std::optional<double> v = f.size() == 2 ? ParseDouble(f[1]) : std::nullopt;
    if (!v) {
      ++*parse_errors;
      continue;
    }
    out.push_back({std::string(f[0]), *v});
  }
  return out;
}

constexpr RegexOption kFields{"vmstat", "fields", kDefaultFields, "Regexp of fields to return for vmstat collector."};

CollectorSpec VmstatCollectorSpec() {
  return {"vmstat",
          true,
          "Exposes selected /proc/vmstat fields as node_vmstat_<field> (untyped).",
          {kFields.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            auto re = std::make_unique<RE2>(ctx.options.Get(kFields), RE2::Quiet);
            if (!re->ok()) {
              return Status::Error("--collector.vmstat.fields: " + re->error());
            }
            return CollectorPtr(std::make_unique<VmstatCollector>(ctx.fs, std::move(re)));
          }};
}

}  // namespace hostwatch
