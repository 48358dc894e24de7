#include "collectors/host/softirqs.h"

#include <algorithm>
#include <iterator>
#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kSoftirqs{
    "node_softirqs_functions_total", "Softirq counts per CPU.", MetricType::Counter, {"cpu", "type"}};

// The vectors node_exporter exports (procfs's Softirqs struct); a kernel
// that adds one does not change the output.
constexpr std::string_view kTypes[] = {"HI",       "TIMER",   "NET_TX", "NET_RX",  "BLOCK",
                                       "IRQ_POLL", "TASKLET", "SCHED",  "HRTIMER", "RCU"};

class SoftirqsCollector : public Collector {
 public:
  explicit SoftirqsCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("softirqs");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<SoftirqRow> rows = ParseSoftirqs(text.value(), &errors);
    sink.CountParseError(errors);
    for (const SoftirqRow& row : rows) {
      for (std::size_t cpu = 0; cpu < row.per_cpu.size(); ++cpu) {
        sink.Add(kSoftirqs, row.per_cpu[cpu], {std::to_string(cpu), row.type});
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

std::vector<SoftirqRow> ParseSoftirqs(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<SoftirqRow> out;
  std::vector<std::string_view> lines = SplitLines(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {  // line 0: "CPU0 CPU1 ..."
    std::vector<std::string_view> f = SplitFields(lines[i]);
    if (f.size() < 2 || f[0].back() != ':') {
      continue;
    }
    std::string_view type = f[0].substr(0, f[0].size() - 1);
    if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
      continue;
    }
    SoftirqRow row{std::string(type), {}};
    for (std::size_t c = 1; c < f.size(); ++c) {
      std::optional<std::uint64_t> v = ParseUint(f[c]);
      if (!v) {
        break;
      }
      row.per_cpu.push_back(static_cast<double>(*v));
    }
    if (row.per_cpu.size() + 1 != f.size()) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(row));
  }
  return out;
}

CollectorSpec SoftirqsCollectorSpec() {
  return {"softirqs",
          false,
          "Exposes per-CPU softirq counts from /proc/softirqs: node_softirqs_functions_total{cpu,type}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<SoftirqsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
