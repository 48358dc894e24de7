// The perf collector itself: opens one system-wide counter per selected event
// and CPU (perf_event_open with pid -1) on the first scrape, keeps the
// descriptors, and reads each counter's running total per scrape.
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "collectors/core/parse_util.h"
#include "collectors/host/perf.h"

namespace hostwatch {
namespace {

constexpr StringOption kCpus{"perf", "cpus", "", "List of CPUs from which perf metrics should be collected"};
constexpr StringOption kTracepoint{"perf", "tracepoint", "",
                                   "perf tracepoint that should be collected: subsystem:event entries separated by "
                                   "spaces (node_exporter repeats the flag instead)"};
constexpr BoolOption kNoHardware{"perf", "disable-hardware-profilers", false, "disable perf hardware profilers"};
constexpr StringOption kHardware{"perf", "hardware-profilers", "",
                                 "perf hardware profilers that should be collected, separated by spaces (default: all)"};
constexpr BoolOption kNoSoftware{"perf", "disable-software-profilers", false, "disable perf software profilers"};
constexpr StringOption kSoftware{"perf", "software-profilers", "",
                                 "perf software profilers that should be collected, separated by spaces (default: all)"};
constexpr BoolOption kNoCache{"perf", "disable-cache-profilers", false, "disable perf cache profilers"};
constexpr StringOption kCacheProfilers{"perf", "cache-profilers", "",
                                       "perf cache profilers that should be collected, separated by spaces (default: "
                                       "all)"};

// A perf event descriptor, closed with its owner.
class PerfFd {
 public:
  explicit PerfFd(int fd) : fd_(fd) {}
  PerfFd(PerfFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  PerfFd& operator=(PerfFd&&) = delete;
  ~PerfFd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// What to count: a family and the perf_event_attr type and config.
struct CounterKind {
  MetricDesc desc;
  std::uint32_t type = 0;
  std::uint64_t config = 0;
  std::string tracepoint;  // "sched:sched_switch" for tracepoints (config read from tracefs), "" otherwise
};

struct OpenCounter {
  const MetricDesc* desc;
  std::string cpu;
  PerfFd fd;
};

int PerfEventOpen(std::uint32_t type, std::uint64_t config, int cpu) {
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = type;
  attr.config = config;
  attr.exclude_hv = 1;  // the hypervisor's share is not this host's to count (and is refused in most VMs)
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

class PerfCollector : public Collector {
 public:
  PerfCollector(const ProcFs& fs, std::vector<int> cpus, std::vector<CounterKind> kinds)
      : fs_(fs), cpus_(std::move(cpus)), kinds_(std::move(kinds)) {}

  Status Collect(MetricSink& sink) override {
    if (counters_.empty()) {
      Status st = Open();
      if (!st.ok()) {
        return st;
      }
    }
    for (const OpenCounter& c : counters_) {
      std::uint64_t value = 0;
      if (::read(c.fd.get(), &value, sizeof(value)) == static_cast<ssize_t>(sizeof(value))) {
        sink.Add(*c.desc, static_cast<double>(value), {c.cpu});
      }
    }
    return Status::OK();
  }

 private:
  // Opens every counter the kernel allows. NoData when it allows none: no
  // PMU, perf_event_paranoid, seccomp, or tracefs absent (for tracepoints).
  Status Open() {
    std::string first_error;
    for (CounterKind& kind : kinds_) {
      if (!kind.tracepoint.empty() && !ResolveTracepoint(&kind, &first_error)) {
        continue;
      }
      for (int cpu : cpus_) {
        int fd = PerfEventOpen(kind.type, kind.config, cpu);
        if (fd < 0) {
          if (first_error.empty()) {
            first_error = kind.desc.name + " on cpu " + std::to_string(cpu) + ": " + std::strerror(errno);
          }
          continue;
        }
        counters_.push_back({&kind.desc, std::to_string(cpu), PerfFd(fd)});
      }
    }
    if (counters_.empty()) {
      Result<std::string> paranoid = fs_.ReadProc("sys/kernel/perf_event_paranoid");
      return Status::NoData("perf: no counter can be opened: perf_event_open: " +
                            (first_error.empty() ? std::string("nothing selected") : first_error) +
                            " (kernel.perf_event_paranoid=" +
                            (paranoid.ok() ? std::string(TrimSpace(paranoid.value())) : std::string("unknown")) + ")");
    }
    return Status::OK();
  }

  // A tracepoint's event id, from tracefs (where it is mounted, or under debugfs).
  bool ResolveTracepoint(CounterKind* kind, std::string* first_error) {
    std::string rel = kind->tracepoint;
    rel.replace(rel.find(':'), 1, "/");
    for (const char* dir : {"kernel/tracing/events/", "kernel/debug/tracing/events/"}) {
      Result<std::string> id = fs_.ReadFile(fs_.SysPath(dir + rel + "/id"));
      if (id.ok()) {
        if (std::optional<std::uint64_t> n = ParseUint(TrimSpace(id.value()))) {
          kind->type = PERF_TYPE_TRACEPOINT;
          kind->config = *n;
          return true;
        }
      }
    }
    if (first_error->empty()) {
      *first_error = "tracepoint " + kind->tracepoint + ": no id under " + fs_.SysPath("kernel/tracing/events");
    }
    return false;
  }

  const ProcFs& fs_;
  const std::vector<int> cpus_;
  std::vector<CounterKind> kinds_;     // stable: counters_ point into it
  std::vector<OpenCounter> counters_;  // event-major, CPUs in flag order
};

// The counters the options select, with their families.
Result<std::vector<CounterKind>> Kinds(const CollectorOptions& options) {
  PerfSelectionFlags flags{options.Get(kNoHardware), options.Get(kNoSoftware), options.Get(kNoCache),
                           options.Get(kHardware),   options.Get(kSoftware),   options.Get(kCacheProfilers)};
  Result<std::vector<const PerfEvent*>> events = SelectPerfEvents(flags);
  if (!events.ok()) {
    return events.status();
  }
  Result<std::vector<PerfTracepoint>> tracepoints = ParsePerfTracepoints(options.Get(kTracepoint));
  if (!tracepoints.ok()) {
    return Status::Error("--collector.perf.tracepoint: " + tracepoints.status().message());
  }
  std::vector<CounterKind> kinds;
  for (const PerfEvent* e : events.value()) {
    kinds.push_back({{e->metric, e->help, MetricType::Counter, {"cpu"}}, e->type, e->config, ""});
  }
  for (const PerfTracepoint& t : tracepoints.value()) {
    std::string name = t.subsystem + ":" + t.event;
    kinds.push_back({{"node_perf_" + t.subsystem + "_" + t.event, "Perf tracepoint " + name, MetricType::Counter,
                      {"cpu"}},
                     PERF_TYPE_TRACEPOINT,
                     0,
                     name});
  }
  return kinds;
}

}  // namespace

CollectorSpec PerfCollectorSpec() {
  return {"perf",
          false,
          "Exposes system-wide perf_event_open counters per CPU: hardware (node_perf_cpucycles_total, "
          "node_perf_instructions_total, ...), software (node_perf_context_switches_total, node_perf_page_faults_total, "
          "...) and cache (node_perf_cache_*_total) events, and the tracepoints of its option. Counters the kernel "
          "refuses (no PMU in a VM, perf_event_paranoid, seccomp) are left out.",
          {kCpus.Spec(), kTracepoint.Spec(), kNoHardware.Spec(), kHardware.Spec(), kNoSoftware.Spec(),
           kSoftware.Spec(), kNoCache.Spec(), kCacheProfilers.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<std::vector<int>> cpus = ParsePerfCpus(ctx.options.Get(kCpus));
            if (!cpus.ok()) {
              return Status::Error("--collector.perf.cpus: " + cpus.status().message());
            }
            Result<std::vector<CounterKind>> kinds = Kinds(ctx.options);
            if (!kinds.ok()) {
              return kinds.status();
            }
            return CollectorPtr(
                std::make_unique<PerfCollector>(ctx.fs, std::move(cpus).value(), std::move(kinds).value()));
          }};
}

}  // namespace hostwatch
