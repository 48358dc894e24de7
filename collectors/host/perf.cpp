#include "collectors/host/perf.h"

#include <linux/perf_event.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

constexpr std::uint64_t Cache(std::uint64_t id, std::uint64_t op, std::uint64_t result) {
  return id | (op << 8) | (result << 16);
}
constexpr std::uint64_t kRead = PERF_COUNT_HW_CACHE_OP_READ, kWrite = PERF_COUNT_HW_CACHE_OP_WRITE;
constexpr std::uint64_t kHit = PERF_COUNT_HW_CACHE_RESULT_ACCESS, kMiss = PERF_COUNT_HW_CACHE_RESULT_MISS;
constexpr PerfGroup kHw = PerfGroup::kHardware, kSw = PerfGroup::kSoftware, kCa = PerfGroup::kCache;
constexpr std::uint32_t kHwType = PERF_TYPE_HARDWARE, kSwType = PERF_TYPE_SOFTWARE, kCaType = PERF_TYPE_HW_CACHE;

// node_exporter's families and HELP texts; profiler names as perf-utils spells them.
const std::vector<PerfEvent> kEvents = {
    {kHw, "CpuCycles", "node_perf_cpucycles_total", "Number of CPU cycles (frequency scaled)", kHwType,
     PERF_COUNT_HW_CPU_CYCLES},
    {kHw, "CpuInstr", "node_perf_instructions_total", "Number of CPU instructions", kHwType,
     PERF_COUNT_HW_INSTRUCTIONS},
    {kHw, "BranchInstr", "node_perf_branch_instructions_total", "Number of CPU branch instructions", kHwType,
     PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    {kHw, "BranchMisses", "node_perf_branch_misses_total", "Number of CPU branch misses", kHwType,
     PERF_COUNT_HW_BRANCH_MISSES},
    {kHw, "CacheRef", "node_perf_cache_refs_total", "Number of cache references (non frequency scaled)", kHwType,
     PERF_COUNT_HW_CACHE_REFERENCES},
    {kHw, "CacheMisses", "node_perf_cache_misses_total", "Number of cache misses", kHwType,
     PERF_COUNT_HW_CACHE_MISSES},
    {kHw, "RefCpuCycles", "node_perf_ref_cpucycles_total", "Number of CPU cycles", kHwType,
     PERF_COUNT_HW_REF_CPU_CYCLES},
    {kHw, "StalledCyclesBackend", "node_perf_stalled_cycles_backend_total", "Number of stalled backend CPU cycles",
     kHwType, PERF_COUNT_HW_STALLED_CYCLES_BACKEND},
    {kHw, "StalledCyclesFrontend", "node_perf_stalled_cycles_frontend_total",
     "Number of stalled frontend CPU cycles", kHwType, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND},
    {kSw, "PageFault", "node_perf_page_faults_total", "Number of page faults", kSwType, PERF_COUNT_SW_PAGE_FAULTS},
    {kSw, "ContextSwitch", "node_perf_context_switches_total", "Number of context switches", kSwType,
     PERF_COUNT_SW_CONTEXT_SWITCHES},
    {kSw, "CpuMigration", "node_perf_cpu_migrations_total", "Number of CPU process migrations", kSwType,
     PERF_COUNT_SW_CPU_MIGRATIONS},
    {kSw, "MinorFault", "node_perf_minor_faults_total", "Number of minor page faults", kSwType,
     PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {kSw, "MajorFault", "node_perf_major_faults_total", "Number of major page faults", kSwType,
     PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    {kCa, "L1DataReadHit", "node_perf_cache_l1d_read_hits_total", "Number L1 data cache read hits", kCaType,
     Cache(PERF_COUNT_HW_CACHE_L1D, kRead, kHit)},
    {kCa, "L1DataReadMiss", "node_perf_cache_l1d_read_misses_total", "Number L1 data cache read misses", kCaType,
     Cache(PERF_COUNT_HW_CACHE_L1D, kRead, kMiss)},
    {kCa, "L1DataWriteHit", "node_perf_cache_l1d_write_hits_total", "Number L1 data cache write hits", kCaType,
     Cache(PERF_COUNT_HW_CACHE_L1D, kWrite, kHit)},
    {kCa, "L1InstrReadMiss", "node_perf_cache_l1_instr_read_misses_total",
     "Number instruction L1 instruction read misses", kCaType, Cache(PERF_COUNT_HW_CACHE_L1I, kRead, kMiss)},
    {kCa, "InstrTLBReadHit", "node_perf_cache_tlb_instr_read_hits_total", "Number instruction TLB read hits",
     kCaType, Cache(PERF_COUNT_HW_CACHE_ITLB, kRead, kHit)},
    {kCa, "InstrTLBReadMiss", "node_perf_cache_tlb_instr_read_misses_total", "Number instruction TLB read misses",
     kCaType, Cache(PERF_COUNT_HW_CACHE_ITLB, kRead, kMiss)},
    {kCa, "DataTLBReadHit", "node_perf_cache_tlb_data_read_hits_total", "Number of data TLB read hits", kCaType,
     Cache(PERF_COUNT_HW_CACHE_DTLB, kRead, kHit)},
    {kCa, "DataTLBReadMiss", "node_perf_cache_tlb_data_read_misses_total", "Number of data TLB read misses",
     kCaType, Cache(PERF_COUNT_HW_CACHE_DTLB, kRead, kMiss)},
    {kCa, "DataTLBWriteHit", "node_perf_cache_tlb_data_write_hits_total", "Number of data TLB write hits", kCaType,
     Cache(PERF_COUNT_HW_CACHE_DTLB, kWrite, kHit)},
    {kCa, "DataTLBWriteMiss", "node_perf_cache_tlb_data_write_misses_total", "Number of data TLB write misses",
     kCaType, Cache(PERF_COUNT_HW_CACHE_DTLB, kWrite, kMiss)},
    {kCa, "LLReadHit", "node_perf_cache_ll_read_hits_total", "Number last level read hits", kCaType,
     Cache(PERF_COUNT_HW_CACHE_LL, kRead, kHit)},
    {kCa, "LLReadMiss", "node_perf_cache_ll_read_misses_total", "Number last level read misses", kCaType,
     Cache(PERF_COUNT_HW_CACHE_LL, kRead, kMiss)},
    {kCa, "LLWriteHit", "node_perf_cache_ll_write_hits_total", "Number last level write hits", kCaType,
     Cache(PERF_COUNT_HW_CACHE_LL, kWrite, kHit)},
    {kCa, "LLWriteMiss", "node_perf_cache_ll_write_misses_total", "Number last level write misses", kCaType,
     Cache(PERF_COUNT_HW_CACHE_LL, kWrite, kMiss)},
    {kCa, "BPUReadHit", "node_perf_cache_bpu_read_hits_total", "Number BPU read hits", kCaType,
     Cache(PERF_COUNT_HW_CACHE_BPU, kRead, kHit)},
    {kCa, "BPUReadMiss", "node_perf_cache_bpu_read_misses_total", "Number BPU read misses", kCaType,
     Cache(PERF_COUNT_HW_CACHE_BPU, kRead, kMiss)},
};

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) {
      return out;
    }
    start = end + 1;
  }
}

bool IsNamePart(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// CPU numbers and list lengths above this are refused (Linux' own limit is 8192 CPUs).
constexpr std::uint64_t kMaxCpu = 1 << 16;

// One part of --collector.perf.cpus: "N", "A-B" or "A-B:S".
Status AppendCpuRange(std::string_view part, std::vector<int>* cpus) {
  std::vector<std::string_view> stride = SplitOn(part, ':');
  std::vector<std::string_view> range = SplitOn(stride[0], '-');
  std::optional<std::uint64_t> step = stride.size() == 2 ? ParseUint(stride[1]) : std::optional<std::uint64_t>(1);
  std::optional<std::uint64_t> first = ParseUint(range[0]);
  std::optional<std::uint64_t> last = range.size() == 2 ? ParseUint(range[1]) : first;
  if (stride.size() > 2 || range.size() > 2 || (range.size() == 1 && stride.size() == 2) || !first || !last ||
      !step || *step == 0 || *last >= kMaxCpu || *first > *last) {
    return Status::Error("\"" + std::string(part) + "\" is not a CPU, a range A-B or a range with a stride A-B:S");
  }
  for (std::uint64_t cpu = *first; cpu <= *last; cpu += *step) {
    if (cpus->size() == kMaxCpu) {
      return Status::Error("more than " + std::to_string(kMaxCpu) + " CPUs listed");
    }
    cpus->push_back(static_cast<int>(cpu));
  }
  return Status::OK();
}

// The CPUs this process may run on, as Go's runtime.NumCPU counts them (node_exporter's default).
std::vector<int> AllCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::vector<int> cpus;
  for (int i = 0; i < n; ++i) {
    cpus.push_back(i);
  }
  return cpus;
}

// Selects the events of one group: all of them, the named ones, or none.
Status SelectGroup(PerfGroup group, bool disabled, std::string_view names, std::string_view flag,
                   std::vector<const PerfEvent*>* out) {
  if (disabled) {
    return Status::OK();
  }
  std::vector<std::string_view> wanted = SplitFields(names);
  std::vector<std::string_view> known;
  for (const PerfEvent& e : kEvents) {
    if (e.group == group) {
      known.push_back(e.profiler);
    }
  }
  for (std::string_view w : wanted) {
    if (std::find(known.begin(), known.end(), w) == known.end()) {
      return Status::Error("--collector.perf." + std::string(flag) + ": unknown profiler \"" + std::string(w) +
                           "\" (known: " + Join(known, ", ") + ")");
    }
  }
  for (const PerfEvent& e : kEvents) {
    if (e.group == group && (wanted.empty() || std::find(wanted.begin(), wanted.end(), e.profiler) != wanted.end())) {
      out->push_back(&e);
    }
  }
  return Status::OK();
}

}  // namespace

const std::vector<PerfEvent>& PerfEvents() { return kEvents; }

Result<std::vector<int>> ParsePerfCpus(std::string_view flag) {
  if (TrimSpace(flag).empty()) {
    return AllCpus();
  }
  std::vector<int> cpus;
  for (std::string_view part : SplitOn(TrimSpace(flag), ',')) {
    Status st = AppendCpuRange(part, &cpus);
    if (!st.ok()) {
      return st;
    }
  }
  return cpus;
}

Result<std::vector<PerfTracepoint>> ParsePerfTracepoints(std::string_view flag) {
  std::vector<PerfTracepoint> out;
  for (std::string_view entry : SplitFields(flag)) {
    std::vector<std::string_view> parts = SplitOn(entry, ':');
    if (parts.size() != 2 || !IsNamePart(parts[0]) || !IsNamePart(parts[1])) {
      return Status::Error("invalid tracepoint \"" + std::string(entry) + "\": want subsystem:event (letters, digits, _)");
    }
    out.push_back({std::string(parts[0]), std::string(parts[1])});
  }
  return out;
}

Result<std::vector<const PerfEvent*>> SelectPerfEvents(const PerfSelectionFlags& flags) {
  std::vector<const PerfEvent*> out;
  Status st = SelectGroup(PerfGroup::kHardware, flags.disable_hardware, flags.hardware, "hardware-profilers", &out);
  if (st.ok()) {
    st = SelectGroup(PerfGroup::kSoftware, flags.disable_software, flags.software, "software-profilers", &out);
  }
  if (st.ok()) {
    st = SelectGroup(PerfGroup::kCache, flags.disable_cache, flags.cache, "cache-profilers", &out);
  }
  if (!st.ok()) {
    return st;
  }
  return out;
}

}  // namespace hostwatch
