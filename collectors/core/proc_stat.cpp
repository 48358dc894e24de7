#include "collectors/core/proc_stat.h"

#include <iterator>
#include <string_view>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// USER_HZ is 100 on every Linux architecture node_exporter supports.
constexpr double kUserHz = 100.0;

// "cpu0 ..." but not the aggregate "cpu  ..." line.
bool IsPerCpuKey(std::string_view key) {
  return key.size() >= 4 && key.starts_with("cpu") && key[3] >= '0' && key[3] <= '9';
}

// Parses a "cpuN user nice system idle iowait irq softirq steal [guest guest_nice]" line.
std::optional<CpuTimes> ParseCpuLine(std::string_view line) {
  std::vector<std::string_view> f = SplitFields(line);
  std::optional<std::uint64_t> index = ParseUint(f[0].substr(3));
  // Kernels before 2.6.11 lack steal/guest columns; every kernel we run on has at least 8.
  if (!index.has_value() || f.size() < 9) {
    return std::nullopt;
  }
  CpuTimes t;
  t.cpu = static_cast<int>(*index);
  double* dst[] = {&t.user, &t.nice,    &t.system, &t.idle,  &t.iowait,
                   &t.irq,  &t.softirq, &t.steal,  &t.guest, &t.guest_nice};
  for (std::size_t i = 1; i < f.size() && i <= std::size(dst); ++i) {
    std::optional<std::uint64_t> ticks = ParseUint(f[i]);
    if (!ticks) {
      return std::nullopt;
    }
    *dst[i - 1] = static_cast<double>(*ticks) / kUserHz;
  }
  return t;
}

// The first number after the key ("intr <total> <per-irq counts...>" has many;
// only the total is exported). nullopt when it is missing or bad.
std::optional<double> FirstValue(std::string_view rest) {
  rest = TrimSpace(rest);
  std::string_view first = rest.substr(0, rest.find_first_of(" \t"));
  std::optional<std::uint64_t> v = ParseUint(first);
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}

// "softirq <total> <hi> <timer> ...": the per-vector counts follow the total.
std::optional<std::vector<double>> ParseSoftirqs(std::string_view rest) {
  std::vector<std::string_view> f = SplitFields(rest);
  if (f.empty()) {
    return std::nullopt;
  }
  std::vector<double> counts;
  for (std::size_t i = 1; i < f.size(); ++i) {
    std::optional<std::uint64_t> v = ParseUint(f[i]);
    if (!v) {
      return std::nullopt;
    }
    counts.push_back(static_cast<double>(*v));
  }
  return counts;
}

// The totals field a single-value key fills; nullptr for other keys.
std::optional<double>* SingleValueField(std::string_view key, ProcStatTotals& t) {
  if (key == "btime") return &t.boot_time;
  if (key == "ctxt") return &t.context_switches;
  if (key == "intr") return &t.interrupts;
  if (key == "processes") return &t.forks;
  if (key == "procs_running") return &t.procs_running;
  if (key == "procs_blocked") return &t.procs_blocked;
  return nullptr;
}

}  // namespace

ProcStat ParseProcStat(std::string_view text, ProcStatParts parts) {
  const bool want_cpus = parts != ProcStatParts::kTotals;
  const bool want_totals = parts != ProcStatParts::kCpus;
  ProcStat out;
  for (std::string_view line : SplitLines(text)) {
    std::string_view trimmed = TrimSpace(line);
    std::string_view key = trimmed.substr(0, trimmed.find_first_of(" \t"));
    std::string_view rest = trimmed.substr(key.size());
    const bool cpu_line = IsPerCpuKey(key);
    if (cpu_line ? !want_cpus : !want_totals) {
      continue;
    }
    if (cpu_line) {
      if (std::optional<CpuTimes> t = ParseCpuLine(trimmed)) {
        out.cpus.push_back(*t);
      } else {
        ++out.cpu_parse_errors;
      }
    } else if (std::optional<double>* field = SingleValueField(key, out.totals)) {
      *field = FirstValue(rest);
      out.totals_parse_errors += field->has_value() ? 0 : 1;
    } else if (key == "softirq") {
      if (std::optional<std::vector<double>> counts = ParseSoftirqs(rest)) {
        out.totals.softirqs = std::move(*counts);
      } else {
        ++out.totals_parse_errors;
      }
    }
  }
  return out;
}

}  // namespace hostwatch
