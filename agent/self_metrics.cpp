#include "agent/self_metrics.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/build_info.h"
#include "collectors/core/metric_sink.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/proc_stat.h"

namespace hostwatch {
namespace {

const MetricDesc kBuildInfo{
    "hostwatch_build_info",
    "A metric with a constant '1' value labeled by version, revision, branch, and compiler from which hostwatch was "
    "built.",
    MetricType::Gauge,
    {"branch", "compiler", "revision", "version"}};
const MetricDesc kCpuSeconds{"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                             MetricType::Counter, {}};
const MetricDesc kResident{"process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge, {}};
const MetricDesc kVirtual{"process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge, {}};
const MetricDesc kVirtualMax{"process_virtual_memory_max_bytes",
                             "Maximum amount of virtual memory available in bytes.", MetricType::Gauge, {}};
const MetricDesc kOpenFds{"process_open_fds", "Number of open file descriptors.", MetricType::Gauge, {}};
const MetricDesc kMaxFds{"process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, {}};
const MetricDesc kStartTime{"process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                            MetricType::Gauge, {}};
const MetricDesc kThreads{"process_threads", "Number of OS threads in the process.", MetricType::Gauge, {}};

double RlimitValue(rlim_t v) {
  // Unlimited is exported as the largest uint64, like client_golang does.
  return v == RLIM_INFINITY ? 18446744073709551615.0 : static_cast<double>(v);
}

}  // namespace

Result<ProcSelfStat> ParseProcPidStat(std::string_view text) {
  std::size_t paren = text.rfind(')');
  if (paren == std::string_view::npos) {
    return Status::Error("malformed /proc/self/stat: no ')'");
  }
  // After ')' come fields 3.. (state is field 3).
  std::vector<std::string_view> f = SplitFields(TrimSpace(text.substr(paren + 1)));
  auto field = [&](std::size_t n) -> std::string_view { return n - 3 < f.size() ? f[n - 3] : std::string_view{}; };
  auto utime = ParseUint(field(14));
  auto stime = ParseUint(field(15));
  auto threads = ParseInt(field(20));
  auto start = ParseUint(field(22));
  auto vsize = ParseUint(field(23));
  auto rss = ParseInt(field(24));
  if (!utime || !stime || !threads || !start || !vsize || !rss) {
    return Status::Error("malformed /proc/self/stat: too few or non-numeric fields");
  }
  return ProcSelfStat{*utime, *stime, *threads, *start, *vsize, *rss};
}

Result<std::uint64_t> ParseBootTime(std::string_view proc_stat) {
  if (std::optional<double> btime = ParseProcStat(proc_stat, ProcStatParts::kTotals).totals.boot_time) {
    return static_cast<std::uint64_t>(*btime);
  }
  return Status::Error("no btime line in /proc/stat");
}

std::optional<std::size_t> OpenFdsFromDirSize(const std::string& fd_dir) {
  struct stat st;
  if (::stat(fd_dir.c_str(), &st) != 0 || st.st_size <= 0) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(st.st_size);
}

std::optional<std::size_t> CountDirEntries(const ProcFs& fs, const std::string& dir) {
  Result<std::vector<std::string>> names = fs.ListDir(dir);
  if (!names.ok()) {
    return std::nullopt;
  }
  return names.value().size();
}

std::optional<std::size_t> CountOpenFds(const ProcFs& fs, const std::string& fd_dir) {
  if (std::optional<std::size_t> n = OpenFdsFromDirSize(fd_dir)) {
    return n;
  }
  std::optional<std::size_t> entries = CountDirEntries(fs, fd_dir);
  if (!entries) {
    return std::nullopt;
  }
  // The descriptor that listed the directory was open during the listing and
  // is closed again; do not count it.
  return *entries > 0 ? *entries - 1 : 0;
}

SelfMetrics::SelfMetrics(bool process_metrics) : proc_(FsRoots{}), process_metrics_(process_metrics) {
  // The start time never changes: compute it once. Reading through
  // self_stat_ also opens the descriptor scrapes re-read, at startup rather
  // than at the first scrape, so the agent's open fds do not grow then.
  Result<std::string> stat = ReadSelfStat();
  Result<std::string> sys_stat = proc_.ReadProc("stat");
  if (stat.ok() && sys_stat.ok()) {
    Result<ProcSelfStat> s = ParseProcPidStat(stat.value());
    Result<std::uint64_t> btime = ParseBootTime(sys_stat.value());
    if (s.ok() && btime.ok()) {
      start_time_seconds_ = static_cast<double>(btime.value()) +
                            static_cast<double>(s.value().start_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
}

Result<std::string> SelfMetrics::ReadSelfStat() const {
  std::lock_guard<std::mutex> lock(self_stat_mu_);
  return self_stat_.Read();
}

void SelfMetrics::Collect(MetricSink& sink) const {
  sink.Add(kBuildInfo, 1, {kBuildBranch, kBuildCompiler, kBuildRevision, kBuildVersion});
  if (!process_metrics_) {
    return;
  }
  Result<std::string> stat = ReadSelfStat();
  if (stat.ok()) {
    Result<ProcSelfStat> s = ParseProcPidStat(stat.value());
    if (s.ok()) {
      const ProcSelfStat& p = s.value();
      double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
      sink.Add(kCpuSeconds, static_cast<double>(p.utime_ticks + p.stime_ticks) / hz);
      sink.Add(kResident, static_cast<double>(p.rss_pages) * static_cast<double>(sysconf(_SC_PAGESIZE)));
      sink.Add(kVirtual, static_cast<double>(p.vsize_bytes));
      sink.Add(kThreads, static_cast<double>(p.num_threads));
    }
  }
  if (std::optional<std::size_t> fds = CountOpenFds(proc_, fd_dir_)) {
    sink.Add(kOpenFds, static_cast<double>(*fds));
  }
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    sink.Add(kMaxFds, RlimitValue(lim.rlim_cur));
  }
  if (getrlimit(RLIMIT_AS, &lim) == 0) {
    sink.Add(kVirtualMax, RlimitValue(lim.rlim_cur));
  }
  if (start_time_seconds_ > 0) {
    sink.Add(kStartTime, start_time_seconds_);
  }
}

}  // namespace hostwatch
