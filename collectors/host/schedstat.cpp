#include "collectors/host/schedstat.h"

#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kRunning{"node_schedstat_running_seconds_total",
                          "Number of seconds CPU spent running a process.",
                          MetricType::Counter,
                          {"cpu"}};
const MetricDesc kWaiting{"node_schedstat_waiting_seconds_total",
                          "Number of seconds spent by processing waiting for this CPU.",
                          MetricType::Counter,
                          {"cpu"}};
const MetricDesc kTimeslices{
    "node_schedstat_timeslices_total", "Number of timeslices executed by CPU.", MetricType::Counter, {"cpu"}};

constexpr double kNanosecondsPerSecond = 1e9;

class SchedstatCollector : public Collector {
 public:
  explicit SchedstatCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("schedstat");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<SchedstatCpu> cpus = ParseSchedstat(text.value(), &errors);
    sink.CountParseError(errors);
    for (const SchedstatCpu& c : cpus) {
      // Divided, not multiplied by 1e-9, so the values are node_exporter's to the last digit.
      sink.Add(kRunning, static_cast<double>(c.running_ns) / kNanosecondsPerSecond, {c.cpu});
      sink.Add(kWaiting, static_cast<double>(c.waiting_ns) / kNanosecondsPerSecond, {c.cpu});
      sink.Add(kTimeslices, static_cast<double>(c.timeslices), {c.cpu});
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

std::vector<SchedstatCpu> ParseSchedstat(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<SchedstatCpu> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty() || !f[0].starts_with("cpu")) {
      continue;
    }
    std::string_view cpu = f[0].substr(3);
    std::optional<std::uint64_t> n[9];
    bool ok = ParseUint(cpu).has_value() && f.size() >= 10;
    for (std::size_t i = 0; ok && i < 9; ++i) {
      n[i] = ParseUint(f[i + 1]);
      ok = n[i].has_value();
    }
    if (!ok) {
      ++*parse_errors;
      continue;
    }
    out.push_back(SchedstatCpu{std::string(cpu), *n[6], *n[7], *n[8]});
  }
  return out;
}

CollectorSpec SchedstatCollectorSpec() {
  return {"schedstat",
          true,
          "Exposes per-CPU scheduler statistics from /proc/schedstat: "
          "node_schedstat_{running_seconds,waiting_seconds,timeslices}_total.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<SchedstatCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
