#include "cpu.h"

#include <string>

#include "parse_util.h"

namespace hostwatch {
namespace {

// USER_HZ is 100 on every Linux architecture node_exporter supports.
constexpr double kUserHz = 100.0;

const MetricDesc kCpuSeconds{
    "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType::Counter, {"cpu", "mode"}};
const MetricDesc kCpuGuestSeconds{"node_cpu_guest_seconds_total",
                                  "Seconds the CPUs spent in guests (VMs) for each mode.",
                                  MetricType::Counter,
                                  {"cpu", "mode"}};

// Member pointers in /proc/stat column order, with node_exporter's mode names.
struct ModeField {
  const char* mode;
  double CpuTimes::*field;
};
constexpr ModeField kModes[] = {
    {"user", &CpuTimes::user}, {"nice", &CpuTimes::nice},       {"system", &CpuTimes::system},
    {"idle", &CpuTimes::idle}, {"iowait", &CpuTimes::iowait},   {"irq", &CpuTimes::irq},
    {"softirq", &CpuTimes::softirq}, {"steal", &CpuTimes::steal},
};
constexpr ModeField kGuestModes[] = {{"user", &CpuTimes::guest}, {"nice", &CpuTimes::guest_nice}};

class CpuCollector : public Collector {
 public:
  CpuCollector(const ProcFs& fs, bool guest) : fs_(fs), guest_(guest) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = fs_.ReadProc("stat");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<CpuTimes> cpus = guard_.Update(ParseProcStatCpus(text.value(), &errors));
    sink.CountParseError(errors);
    if (cpus.empty()) {
      return Status::Error("no cpu lines in " + fs_.ProcPath("stat"));
    }
    for (const CpuTimes& t : cpus) {
      std::string cpu = std::to_string(t.cpu);
      for (const ModeField& m : kModes) {
        sink.Add(kCpuSeconds, t.*m.field, {cpu, m.mode});
      }
      if (guest_) {
        for (const ModeField& m : kGuestModes) {
          sink.Add(kCpuGuestSeconds, t.*m.field, {cpu, m.mode});
        }
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  const bool guest_;
  CpuCounterGuard guard_;
};

}  // namespace

std::vector<CpuTimes> ParseProcStatCpus(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<CpuTimes> cpus;
  for (std::string_view line : SplitLines(text)) {
    // "cpu0 ..." but not the aggregate "cpu  ..." line.
    if (line.size() < 4 || line.substr(0, 3) != "cpu" || line[3] < '0' || line[3] > '9') {
      continue;
    }
    std::vector<std::string_view> f = SplitFields(line);
    std::optional<std::uint64_t> index = ParseUint(f[0].substr(3));
    // Kernels before 2.6.11 lack steal/guest columns; every kernel we run on has at least 8.
    bool ok = index.has_value() && f.size() >= 9;
    CpuTimes t;
    if (ok) {
      t.cpu = static_cast<int>(*index);
      double* dst[] = {&t.user, &t.nice,  &t.system, &t.idle,  &t.iowait,
                       &t.irq,  &t.softirq, &t.steal, &t.guest, &t.guest_nice};
      for (std::size_t i = 1; i < f.size() && i <= std::size(dst); ++i) {
        std::optional<std::uint64_t> ticks = ParseUint(f[i]);
        if (!ticks) {
          ok = false;
          break;
        }
        *dst[i - 1] = static_cast<double>(*ticks) / kUserHz;
      }
    }
    if (!ok) {
      ++*parse_errors;
      continue;
    }
    cpus.push_back(t);
  }
  return cpus;
}

std::vector<CpuTimes> CpuCounterGuard::Update(const std::vector<CpuTimes>& fresh) {
  std::map<int, CpuTimes> next;
  std::vector<CpuTimes> out;
  out.reserve(fresh.size());
  for (const CpuTimes& now : fresh) {
    auto it = last_.find(now.cpu);
    CpuTimes kept = now;
    if (it != last_.end() && it->second.idle - now.idle < 3.0) {
      const CpuTimes& prev = it->second;
      for (const ModeField& m : kModes) {
        kept.*m.field = std::max(prev.*m.field, now.*m.field);
      }
      for (const ModeField& m : kGuestModes) {
        kept.*m.field = std::max(prev.*m.field, now.*m.field);
      }
    }
    next[now.cpu] = kept;
    out.push_back(kept);
  }
  last_ = std::move(next);  // CPUs that vanished are forgotten.
  return out;
}

CollectorSpec CpuCollectorSpec() {
  return {"cpu",
          true,
          "Exposes CPU time per mode (/proc/stat): node_cpu_seconds_total, node_cpu_guest_seconds_total.",
          {{"guest", OptionKind::kBool, "true", "Enables metric node_cpu_guest_seconds_total."}},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<CpuCollector>(ctx.fs, ctx.options.GetBool("cpu", "guest")));
          }};
}

}  // namespace hostwatch
