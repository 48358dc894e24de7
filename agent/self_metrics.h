// Self metrics: what the agent costs and which build it is.
//   hostwatch_build_info{version,revision,branch,compiler} 1
//   process_cpu_seconds_total, process_resident_memory_bytes,
//   process_virtual_memory_bytes, process_virtual_memory_max_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds, process_threads
// Read from the real /proc/self (not --path.procfs, which may be a fixture
// tree), with the Prometheus client libraries' names and HELP texts.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/cached_file.h"
#include "collectors/core/metric_source.h"
#include "collectors/core/proc_fs.h"
#include "collectors/core/status.h"

namespace hostwatch {

// The fields of /proc/<pid>/stat we use (man 5 proc, fields 14, 15, 20, 22, 23, 24).
struct ProcSelfStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::int64_t num_threads = 0;
  std::uint64_t start_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};

// Parses /proc/<pid>/stat. The command name (field 2) may contain spaces and
// parentheses, so fields are counted from the last ')'.
Result<ProcSelfStat> ParseProcPidStat(std::string_view text);

// Parses "btime <seconds>" from /proc/stat.
Result<std::uint64_t> ParseBootTime(std::string_view proc_stat);

// process_open_fds without listing the directory: since Linux 6.2 ("proc:
// report open files as size in stat() for /proc/pid/fd") st_size of
// /proc/<pid>/fd is the number of open descriptors. Reading it is one stat
// instead of an open, getdents64 calls that walk every descriptor (most of an
// idle agent's are CivetWeb's) and a close. nullopt when st_size is 0 (older
// kernels) or stat fails.
std::optional<std::size_t> OpenFdsFromDirSize(const std::string& fd_dir);

// Entries in a directory (without "." and ".."); nullopt if it cannot be listed.
std::optional<std::size_t> CountDirEntries(const ProcFs& fs, const std::string& dir);

// Open descriptors of the process whose /proc/<pid>/fd is fd_dir: the
// directory size where the kernel reports it, else a listing (minus the
// descriptor the listing itself holds, so fd_dir must be this process's own).
std::optional<std::size_t> CountOpenFds(const ProcFs& fs, const std::string& fd_dir);

class SelfMetrics : public MetricSource {
 public:
  // process_metrics false leaves only hostwatch_build_info (--web.disable-exporter-metrics).
  explicit SelfMetrics(bool process_metrics = true);
  // Adds the families above; a /proc/self file that cannot be read or parsed
  // leaves its families out of this scrape.
  void Collect(MetricSink& sink) const override;

 private:
  Result<std::string> ReadSelfStat() const;

  ProcFs proc_;  // always the real /proc
  std::string fd_dir_ = proc_.ProcPath("self/fd");
  // Concurrent scrapes share this object; the mutex serialises the kept descriptor.
  mutable std::mutex self_stat_mu_;
  mutable CachedFile self_stat_{proc_.ProcPath("self/stat")};  // Guarded by self_stat_mu_.
  double start_time_seconds_ = 0;
  bool process_metrics_;
};

}  // namespace hostwatch
