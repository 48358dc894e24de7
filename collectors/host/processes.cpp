#include "collectors/host/processes.h"

#include <cerrno>
#include <map>
#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kThreads{"node_processes_threads", "Allocated threads in system", MetricType::Gauge, {}};
const MetricDesc kMaxThreads{"node_processes_max_threads", "Limit of threads in the system", MetricType::Gauge, {}};
const MetricDesc kThreadsState{
    "node_processes_threads_state", "Number of threads in each state.", MetricType::Gauge, {"thread_state"}};
const MetricDesc kState{"node_processes_state", "Number of processes in each state.", MetricType::Gauge, {"state"}};
const MetricDesc kPids{"node_processes_pids", "Number of PIDs", MetricType::Gauge, {}};
const MetricDesc kMaxProcesses{"node_processes_max_processes", "Number of max PIDs limit", MetricType::Gauge, {}};

bool IsPidName(std::string_view name) { return ParseUint(name).has_value(); }

// A process or thread that exited between the listing and the read: its
// files are gone (ENOENT) or answer ESRCH. node_exporter skips those too.
bool Vanished(const Status& s) { return s.no_data() || s.sys_errno() == ESRCH; }

struct Counts {
  double pids = 0;
  double threads = 0;
  std::map<std::string, double> states;
  std::map<std::string, double> thread_states;
};

// The stat file in a process or thread directory (the Result of opening it).
// nullopt when the task vanished or its stat is malformed (counted in sink);
// an Error for any other failure, which fails the scrape as in node_exporter.
Result<std::optional<PidStat>> ReadStat(const Result<DirHandle>& dir, MetricSink& sink) {
  Result<std::string> text = dir.ok() ? dir.value().ReadFile("stat") : Result<std::string>(dir.status());
  if (!text.ok()) {
    if (Vanished(text.status())) {
      return std::optional<PidStat>();
    }
    return text.status();
  }
  std::optional<PidStat> stat = ParsePidStat(text.value());
  if (!stat) {
    sink.CountParseError();
  }
  return stat;
}

class ProcessesCollector : public Collector {
 public:
  explicit ProcessesCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> proc = fs_.OpenDir(fs_.roots().procfs);
    if (!proc.ok()) {
      return proc.status();
    }
    Counts counts;
    if (Status s = CountProcesses(proc.value(), sink, &counts); !s.ok()) {
      return s;
    }
    std::uint64_t errors = 0;
    Result<double> max_threads = files_.ReadProcUint("sys/kernel/threads-max", &errors);
    Result<double> pid_max = files_.ReadProcUint("sys/kernel/pid_max", &errors);
    sink.CountParseError(errors);
    if (!max_threads.ok()) {
      return max_threads.status();
    }
    if (!pid_max.ok()) {
      return pid_max.status();
    }
    sink.Add(kThreads, counts.threads);
    sink.Add(kMaxThreads, max_threads.value());
    for (const auto& [state, n] : counts.states) {
      sink.Add(kState, n, {state});
    }
    for (const auto& [state, n] : counts.thread_states) {
      sink.Add(kThreadsState, n, {state});
    }
    sink.Add(kPids, counts.pids);
    sink.Add(kMaxProcesses, pid_max.value());
    return Status::OK();
  }

 private:
  static Status CountProcesses(const DirHandle& proc, MetricSink& sink, Counts* counts) {
    Result<std::vector<std::string>> names = proc.List();
    if (!names.ok()) {
      return names.status();
    }
    for (const std::string& pid : names.value()) {
      if (!IsPidName(pid)) {
        continue;
      }
      Result<DirHandle> dir = proc.OpenDir(pid);
      Result<std::optional<PidStat>> stat = ReadStat(dir, sink);
      if (!stat.ok()) {
        return stat.status();
      }
      if (!stat.value()) {
        continue;
      }
      const PidStat& process = *stat.value();
      ++counts->pids;
      ++counts->states[process.state];
      counts->threads += static_cast<double>(process.threads);
      if (Status s = CountThreads(dir.value(), pid, process.state, sink, counts); !s.ok()) {
        return s;
      }
    }
    return Status::OK();
  }

  // Thread states from task/<tid>/stat; the main thread takes the state
  // already read for the process, as node_exporter does.
  static Status CountThreads(const DirHandle& process, const std::string& pid, const std::string& pid_state,
                             MetricSink& sink, Counts* counts) {
    Result<DirHandle> task = process.OpenDir("task");
    Result<std::vector<std::string>> tids =
        task.ok() ? task.value().List() : Result<std::vector<std::string>>(task.status());
    if (!tids.ok()) {
      return Vanished(tids.status()) ? Status::OK() : tids.status();
    }
    for (const std::string& tid : tids.value()) {
      if (!IsPidName(tid)) {
        continue;
      }
      if (tid == pid) {
        ++counts->thread_states[pid_state];
        continue;
      }
      Result<std::optional<PidStat>> stat = ReadStat(task.value().OpenDir(tid), sink);
      if (!stat.ok()) {
        return stat.status();
      }
      if (!stat.value()) {
        continue;
      }
      ++counts->thread_states[stat.value()->state];
    }
    return Status::OK();
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // the two limits, re-read through kept descriptors
};

}  // namespace

std::optional<PidStat> ParsePidStat(std::string_view text) {
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  // After ')': state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime stime cutime cstime priority nice num_threads ...
  std::vector<std::string_view> f = SplitFields(TrimSpace(text.substr(close + 1)));
  if (f.size() < 18) {
    return std::nullopt;
  }
  std::optional<std::int64_t> threads = ParseInt(f[17]);
  if (!threads) {
    return std::nullopt;
  }
  return PidStat{std::string(f[0]), *threads};
}

CollectorSpec ProcessesCollectorSpec() {
  return {"processes",
          false,
          "Exposes process and thread counts by state (/proc/<pid>/stat, /proc/<pid>/task/<tid>/stat) and the "
          "kernel's limits: node_processes_{pids,threads,state,threads_state,max_processes,max_threads}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<ProcessesCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
