#include "collectors/host/stat.h"

#include <iterator>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/proc_stat.h"

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
    ProcStat stat = ParseProcStat(text.value(), ProcStatParts::kTotals);
    sink.CountParseError(stat.totals_parse_errors);
    const ProcStatTotals& t = stat.totals;
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

}  // namespace

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
