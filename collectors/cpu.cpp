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

const MetricDesc kCoreThrottles{"node_cpu_core_throttles_total", "Number of times this CPU core has been throttled.",
                                MetricType::Counter, {"package", "core"}};
const MetricDesc kPackageThrottles{"node_cpu_package_throttles_total",
                                   "Number of times this CPU package has been throttled.", MetricType::Counter,
                                   {"package"}};
const MetricDesc kIsolated{"node_cpu_isolated",
                           "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
                           MetricType::Gauge,
                           {"cpu"}};
const MetricDesc kOnline{"node_cpu_online", "CPUs that are online and being scheduled.", MetricType::Gauge, {"cpu"}};

constexpr std::string_view kSysCpuDir = "devices/system/cpu";

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
    // The sysfs families are optional extras: a host (or container) without
    // them still has a working cpu collector.
    std::vector<std::string> cpu_dirs = SysCpuDirs();
    AddThrottles(sink, cpu_dirs);
    AddIsolated(sink);
    AddOnline(sink, cpu_dirs);
    return Status::OK();
  }

 private:
  // "cpu0", "cpu1", ... under devices/system/cpu (not cpufreq, cpuidle).
  std::vector<std::string> SysCpuDirs() const {
    std::vector<std::string> dirs;
    Result<std::vector<std::string>> entries = fs_.ListDir(fs_.SysPath(kSysCpuDir));
    if (entries.ok()) {
      for (const std::string& e : entries.value()) {
        if (e.size() > 3 && e.compare(0, 3, "cpu") == 0 && ParseUint(std::string_view(e).substr(3))) {
          dirs.push_back(e);
        }
      }
    }
    return dirs;
  }

  std::optional<std::uint64_t> ReadSysUint(const std::string& cpu_dir, std::string_view rel) const {
    Result<std::string> text = fs_.ReadAttribute(fs_.SysPath(std::string(kSysCpuDir) + "/" + cpu_dir + "/" +
                                                              std::string(rel)));
    return text.ok() ? ParseUint(TrimSpace(text.value())) : std::nullopt;
  }

  void AddThrottles(MetricSink& sink, const std::vector<std::string>& cpu_dirs) const {
    std::vector<CpuThrottleInfo> infos;
    for (const std::string& dir : cpu_dirs) {
      std::optional<std::uint64_t> package = ReadSysUint(dir, "topology/physical_package_id");
      std::optional<std::uint64_t> core = ReadSysUint(dir, "topology/core_id");
      if (!package || !core) {
        continue;  // offline CPUs have no topology
      }
      infos.push_back({*package, *core, ReadSysUint(dir, "thermal_throttle/core_throttle_count"),
                       ReadSysUint(dir, "thermal_throttle/package_throttle_count")});
    }
    ThrottleCounts counts = AggregateThrottles(infos);
    for (const auto& [package, count] : counts.package) {
      sink.Add(kPackageThrottles, static_cast<double>(count), {std::to_string(package)});
    }
    for (const auto& [key, count] : counts.core) {
      sink.Add(kCoreThrottles, static_cast<double>(count), {std::to_string(key.first), std::to_string(key.second)});
    }
  }

  void AddIsolated(MetricSink& sink) const {
    Result<std::string> text = fs_.ReadAttribute(fs_.SysPath(std::string(kSysCpuDir) + "/isolated"));
    if (!text.ok()) {
      return;
    }
    Result<std::vector<int>> cpus = ParseCpuList(TrimSpace(text.value()));
    if (!cpus.ok()) {
      sink.CountParseError();
      return;
    }
    for (int cpu : cpus.value()) {
      sink.Add(kIsolated, 1, {std::to_string(cpu)});
    }
  }

  void AddOnline(MetricSink& sink, const std::vector<std::string>& cpu_dirs) const {
    // cpu0 often cannot be taken offline and then has no "online" file;
    // node_exporter exports nothing in that case, so neither do we.
    if (!ReadSysUint("cpu0", "online")) {
      return;
    }
    for (const std::string& dir : cpu_dirs) {
      if (std::optional<std::uint64_t> online = ReadSysUint(dir, "online")) {
        sink.Add(kOnline, static_cast<double>(*online), {dir.substr(3)});
      }
    }
  }

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

Result<std::vector<int>> ParseCpuList(std::string_view text) {
  std::vector<int> cpus;
  text = TrimSpace(text);
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    std::size_t dash = item.find('-');
    std::optional<std::uint64_t> first = ParseUint(item.substr(0, dash));
    std::optional<std::uint64_t> last = dash == std::string_view::npos ? first : ParseUint(item.substr(dash + 1));
    // 65536 bounds the loop on nonsense input; no kernel has more CPUs.
    if (!first || !last || *first > *last || *last >= 65536) {
      return Status::Error("bad CPU list item \"" + std::string(item) + "\"");
    }
    for (std::uint64_t c = *first; c <= *last; ++c) {
      cpus.push_back(static_cast<int>(c));
    }
  }
  return cpus;
}

ThrottleCounts AggregateThrottles(const std::vector<CpuThrottleInfo>& cpus) {
  ThrottleCounts counts;
  for (const CpuThrottleInfo& c : cpus) {
    // Hyper-threads share a core and cores share a package: the first CPU seen wins.
    if (c.core_throttles) {
      counts.core.emplace(std::make_pair(c.package, c.core), *c.core_throttles);
    }
    if (c.package_throttles) {
      counts.package.emplace(c.package, *c.package_throttles);
    }
  }
  return counts;
}

CollectorSpec CpuCollectorSpec() {
  return {"cpu",
          true,
          "Exposes CPU time per mode (/proc/stat): node_cpu_seconds_total, node_cpu_guest_seconds_total; and "
          "from sysfs node_cpu_core_throttles_total, node_cpu_package_throttles_total, node_cpu_isolated, "
          "node_cpu_online.",
          {{"guest", OptionKind::kBool, "true", "Enables metric node_cpu_guest_seconds_total."}},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<CpuCollector>(ctx.fs, ctx.options.GetBool("cpu", "guest")));
          }};
}

}  // namespace hostwatch
