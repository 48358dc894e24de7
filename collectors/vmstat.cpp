#include "vmstat.h"

#include <re2/re2.h>

#include <map>
#include <memory>

#include "parse_util.h"

namespace hostwatch {
namespace {

constexpr const char* kDefaultFields = "^(oom_kill|pgpg|pswp|pg.*fault).*";

class VmstatCollector : public Collector {
 public:
  VmstatCollector(const ProcFs& fs, std::unique_ptr<RE2> fields) : fs_(fs), fields_(std::move(fields)) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = fs_.ReadProc("vmstat");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<VmstatField> fields = ParseVmstat(text.value(), &errors);
    sink.CountParseError(errors);
    for (const VmstatField& f : fields) {
      if (RE2::PartialMatch(f.name, *fields_)) {
        sink.Add(DescFor(f.name), f.value);
      }
    }
    return Status::OK();
  }

 private:
  const MetricDesc& DescFor(const std::string& name) {
    auto it = descs_.find(name);
    if (it == descs_.end()) {
      it = descs_
               .emplace(
                   name,
                   MetricDesc{
                       "node_vmstat_" + name, "/proc/vmstat information field " + name + ".", MetricType::Untyped, {}})
               .first;
    }
    return it->second;
  }

  const ProcFs& fs_;
  std::unique_ptr<RE2> fields_;
  std::map<std::string, MetricDesc> descs_;  // node-based: addresses stay valid for the sink
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

CollectorSpec VmstatCollectorSpec() {
  return {"vmstat",
          true,
          "Exposes selected /proc/vmstat fields as node_vmstat_<field> (untyped).",
          {{"fields", OptionKind::kRegex, kDefaultFields, "Regexp of fields to return for vmstat collector."}},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            auto re = std::make_unique<RE2>(ctx.options.Get("vmstat", "fields"), RE2::Quiet);
            if (!re->ok()) {
              return Status::Error("--collector.vmstat.fields: " + re->error());
            }
            return CollectorPtr(std::make_unique<VmstatCollector>(ctx.fs, std::move(re)));
          }};
}

}  // namespace hostwatch
