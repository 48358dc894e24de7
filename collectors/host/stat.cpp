#include "collectors/host/stat.h"

#include <iterator>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kIntr{"node_intr_total", "Total number of interrupts serviced.", MetricType::Counter, {}};
const MetricDesc kContextSwitches{
    "node_context_switches_total", "Total number of context switches.", MetricType::Counter, {}};
const MetricDesc kForks{"node_forks_total", "Total number of forks.", MetricType::Counter, {}};
const MetricDesc kBootTime{"node_boot_time_seconds", "Node boot time, in unixtime.", MetricType::Gauge, {}};
const MetricDesc kProcsRunning{"node_procs_running", "Number of processes in runnable state.", MetricType::Gauge, {}};
const MetricDesc kProcsBlocked{
    "node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", MetricType::Gauge, {}};
const MetricDesc kSoftirqs{"node_softirqs_total", "Number of softirq calls.", MetricType::Counter, {"vector"}};

// Vector names in the column order of the "softirq" line (kernel/softirq.c softirq_to_name).
constexpr const char* kSoftirqVectors[] = {"hi",           "timer",   "net_tx", "net_rx",  "block",
                                           "block_iopoll", "tasklet", "sched",  "hrtimer", "rcu"};

class StatCollector : public Collector {
 public:
  StatCollector(const ProcFs& fs, bool softirq) : fs_(fs), softirq_(softirq) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("stat");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    ProcStatTotals t = ParseProcStatTotals(text.value(), &errors);
    sink.CountParseError(errors);
    AddIfPresent(sink, kIntr, t.interrupts);
    AddIfPresent(sink, kContextSwitches, t.context_switches);
    AddIfPresent(sink, kForks, t.forks);
    AddIfPresent(sink, kBootTime, t.boot_time);
    AddIfPresent(sink, kProcsRunning, t.procs_running);
    AddIfPresent(sink, kProcsBlocked, t.procs_blocked);
    if (softirq_) {
      for (std::size_t i = 0; i < t.softirqs.size() && i < std::size(kSoftirqVectors); ++i) {
        sink.Add(kSoftirqs, t.softirqs[i], {kSoftirqVectors[i]});
      }
    }
    if (!t.boot_time && !t.context_switches && !t.forks) {
      return Status::Error("no btime/ctxt/processes lines in " + fs_.ProcPath("stat"));
    }
    return Status::OK();
  }

 private:
  static void AddIfPresent(MetricSink& sink, const MetricDesc& desc, const std::optional<double>& v) {
    if (v) {
      sink.Add(desc, *v);
    }
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const bool softirq_;
};

// Parses the single number after the key; counts an error when it is missing or bad.
std::optional<double> ParseSingleValue(const std::vector<std::string_view>& f, std::uint64_t* parse_errors) {
  std::optional<std::uint64_t> v = f.size() >= 2 ? ParseUint(f[1]) : std::nullopt;
  if (!v) {
    ++*parse_errors;
    return std::nullopt;
  }
  return static_cast<double>(*v);
}

}  // namespace

ProcStatTotals ParseProcStatTotals(std::string_view text, std::uint64_t* parse_errors) {
  ProcStatTotals t;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    std::string_view key = f[0];
    if (key == "btime") {
      t.boot_time = ParseSingleValue(f, parse_errors);
    } else if (key == "ctxt") {
      t.context_switches = ParseSingleValue(f, parse_errors);
    } else if (key == "intr") {
      // "intr <total> <per-irq counts...>": only the total is exported by default.
      t.interrupts = ParseSingleValue(f, parse_errors);
    } else if (key == "processes") {
      t.forks = ParseSingleValue(f, parse_errors);
    } else if (key == "procs_running") {
      t.procs_running = ParseSingleValue(f, parse_errors);
    } else if (key == "procs_blocked") {
      t.procs_blocked = ParseSingleValue(f, parse_errors);
    } else if (key == "softirq") {
      // "softirq <total> <hi> <timer> ...": the per-vector counts follow the total.
      std::vector<double> counts;
      bool ok = f.size() >= 2;
      for (std::size_t i = 2; ok && i < f.size(); ++i) {
        std::optional<std::uint64_t> v = ParseUint(f[i]);
        ok = v.has_value();
        if (ok) {
          counts.push_back(static_cast<double>(*v));
        }
      }
      if (ok) {
        t.softirqs = std::move(counts);
      } else {
        ++*parse_errors;
      }
    }
  }
  return t;
}

constexpr BoolOption kSoftirq{"stat", "softirq", false, "Export softirq calls per vector (node_softirqs_total)."};

CollectorSpec StatCollectorSpec() {
  return {"stat",
          true,
          "Exposes kernel counters from /proc/stat: node_boot_time_seconds, node_context_switches_total, "
          "node_forks_total, node_intr_total, node_procs_running, node_procs_blocked (node_softirqs_total "
          "with the softirq option).",
          {kSoftirq.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<StatCollector>(ctx.fs, ctx.options.Get(kSoftirq)));
          }};
}

}  // namespace hostwatch
