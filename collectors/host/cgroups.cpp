#include "collectors/host/cgroups.h"

#include <memory>
#include <optional>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kSubsysLabel = {"subsys_name"};
const MetricDesc kCgroups{"node_cgroups_cgroups", "Current cgroup number of the subsystem.", MetricType::Gauge,
                          kSubsysLabel};
// node_exporter 1.12.1 gives this family the same HELP text as the one above;
// kept byte-identical so that dashboards and conformance diff nothing.
const MetricDesc kEnabled{"node_cgroups_enabled", "Current cgroup number of the subsystem.", MetricType::Gauge,
                          kSubsysLabel};

class CgroupsCollector : public Collector {
 public:
  explicit CgroupsCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = fs_.ReadProc("cgroups");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<CgroupSummary> summaries = ParseCgroupSummaries(text.value(), &errors);
    sink.CountParseError(errors);
    for (const CgroupSummary& s : summaries) {
      sink.Add(kCgroups, static_cast<double>(s.cgroups), {s.subsys_name});
      sink.Add(kEnabled, static_cast<double>(s.enabled), {s.subsys_name});
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
};

}  // namespace

std::vector<CgroupSummary> ParseCgroupSummaries(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<CgroupSummary> out;
  for (std::string_view line : SplitLines(text)) {
    if (line.rfind('#', 0) == 0) {
      continue;
    }
    std::vector<std::string_view> f = SplitFields(line);
    std::optional<std::int64_t> hierarchy = f.size() >= 4 ? ParseInt(f[1]) : std::nullopt;
    std::optional<std::int64_t> cgroups = f.size() >= 4 ? ParseInt(f[2]) : std::nullopt;
    std::optional<std::int64_t> enabled = f.size() >= 4 ? ParseInt(f[3]) : std::nullopt;
    if (!hierarchy || !cgroups || !enabled) {
      ++*parse_errors;
      continue;
    }
    out.push_back({std::string(f[0]), *hierarchy, *cgroups, *enabled});
  }
  return out;
}

CollectorSpec CgroupsCollectorSpec() {
  return {"cgroups",
          false,
          "Exposes the per-controller summary of /proc/cgroups: node_cgroups_cgroups, node_cgroups_enabled.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<CgroupsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
