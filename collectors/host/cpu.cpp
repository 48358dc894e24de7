#include "collectors/host/cpu.h"

#include <re2/re2.h>

#include <memory>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kCpuSeconds{
    "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType::Counter, {"cpu", "mode"}};
const MetricDesc kCpuGuestSeconds{"node_cpu_guest_seconds_total",
                                  "Seconds the CPUs spent in guests (VMs) for each mode.",
                                  MetricType::Counter,
                                  {"cpu", "mode"}};

const MetricDesc kCoreThrottles{"node_cpu_core_throttles_total",
                                "Number of times this CPU core has been throttled.",
                                MetricType::Counter,
                                {"package", "core"}};
const MetricDesc kPackageThrottles{"node_cpu_package_throttles_total",
                                   "Number of times this CPU package has been throttled.",
                                   MetricType::Counter,
                                   {"package"}};
const MetricDesc kIsolated{"node_cpu_isolated",
                           "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
                           MetricType::Gauge,
                           {"cpu"}};
const MetricDesc kOnline{"node_cpu_online", "CPUs that are online and being scheduled.", MetricType::Gauge, {"cpu"}};

const MetricDesc kCpuInfo{
    "node_cpu_info",
    "CPU information from /proc/cpuinfo.",
    MetricType::Gauge,
    {"package", "core", "cpu", "vendor", "family", "model", "model_name", "microcode", "stepping", "cachesize"}};
const MetricDesc kCpuFrequency{"node_cpu_frequency_hertz",
                               "CPU frequency in hertz from /proc/cpuinfo.",
                               MetricType::Gauge,
                               {"package", "core", "cpu"}};
const MetricDesc kCpuFlagInfo{"node_cpu_flag_info",
                              "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
                              MetricType::Gauge,
                              {"flag"}};
const MetricDesc kCpuBugInfo{"node_cpu_bug_info",
                             "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
                             MetricType::Gauge,
                             {"bug"}};

// --collector.cpu.info and its include filters; a null filter exports nothing.
struct CpuInfoOptions {
  bool enabled = false;
  std::unique_ptr<RE2> flags_include;
  std::unique_ptr<RE2> bugs_include;
};

constexpr std::string_view kSysCpuDir = "devices/system/cpu";

// Member pointers in /proc/stat column order, with node_exporter's mode names.
struct ModeField {
  const char* mode;
  double CpuTimes::*field;
};
constexpr ModeField kModes[] = {
    {"user", &CpuTimes::user},       {"nice", &CpuTimes::nice},     {"system", &CpuTimes::system},
    {"idle", &CpuTimes::idle},       {"iowait", &CpuTimes::iowait}, {"irq", &CpuTimes::irq},
    {"softirq", &CpuTimes::softirq}, {"steal", &CpuTimes::steal},
};
constexpr ModeField kGuestModes[] = {{"user", &CpuTimes::guest}, {"nice", &CpuTimes::guest_nice}};

class CpuCollector : public Collector {
 public:
  CpuCollector(const ProcFs& fs, bool guest, CpuInfoOptions info) : fs_(fs), guest_(guest), info_(std::move(info)) {}

  Status Collect(MetricSink& sink) override {
    if (info_.enabled) {
      if (Status s = AddCpuinfo(sink); !s.ok() && !s.no_data()) {
        return s;
      }
    }
    Result<std::string> text = files_.ReadProc("stat");
    if (!text.ok()) {
      return text.status();
    }
    ProcStat stat = ParseProcStat(text.value(), ProcStatParts::kCpus);
    sink.CountParseError(stat.cpu_parse_errors);
    std::vector<CpuTimes> cpus = guard_.Update(stat.cpus);
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
    std::vector<std::string> cpu_dirs = ListSysCpuDirs(fs_);
    AddThrottles(sink, cpu_dirs);
    AddIsolated(sink);
    AddOnline(sink, cpu_dirs);
    return Status::OK();
  }

 private:
  Status AddCpuinfo(MetricSink& sink) {
    Result<std::string> text = files_.ReadProc("cpuinfo");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<CpuInfoEntry> cpus = ParseCpuinfo(text.value(), &errors);
    sink.CountParseError(errors);
    for (const CpuInfoEntry& c : cpus) {
      std::string cpu = std::to_string(c.processor);
      sink.Add(kCpuInfo, 1,
               {c.physical_id, c.core_id, cpu, c.vendor, c.family, c.model, c.model_name, c.microcode, c.stepping,
                c.cache_size});
      if (c.mhz) {
        sink.Add(kCpuFrequency, *c.mhz * 1e6, {c.physical_id, c.core_id, cpu});
      }
    }
    if (!cpus.empty()) {
      AddMatching(sink, kCpuFlagInfo, cpus.front().flags, info_.flags_include.get());
      AddMatching(sink, kCpuBugInfo, cpus.front().bugs, info_.bugs_include.get());
    }
    return Status::OK();
  }

  static void AddMatching(MetricSink& sink, const MetricDesc& desc, const std::vector<std::string>& values,
                          const RE2* filter) {
    if (filter == nullptr) {
      return;
    }
    for (const std::string& v : values) {
      if (RE2::PartialMatch(v, *filter)) {
        sink.Add(desc, 1, {v});
      }
    }
  }

  std::optional<std::uint64_t> ReadSysUint(const std::string& cpu_dir, std::string_view rel) {
    Result<std::string> text =
        sys_files_.ReadAttribute(fs_.SysPath(std::string(kSysCpuDir) + "/" + cpu_dir + "/" + std::string(rel)));
    return text.ok() ? ParseUint(TrimSpace(text.value())) : std::nullopt;
  }

  void AddThrottles(MetricSink& sink, const std::vector<std::string>& cpu_dirs) {
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

  void AddIsolated(MetricSink& sink) {
    Result<std::string> text = sys_files_.ReadAttribute(fs_.SysPath(std::string(kSysCpuDir) + "/isolated"));
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

  void AddOnline(MetricSink& sink, const std::vector<std::string>& cpu_dirs) {
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
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  // Per-CPU sysfs attributes (topology, throttle counts, online): up to
  // kMaxKeptSysFiles descriptors, about 12 CPUs' worth; the rest of a big
  // host's CPUs are opened on every scrape as before.
  static constexpr std::size_t kMaxKeptSysFiles = 48;
  CachedFiles sys_files_{fs_, kMaxKeptSysFiles};
  const bool guest_;
  const CpuInfoOptions info_;
  CpuCounterGuard guard_;
};

}  // namespace

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

std::vector<std::string> ListSysCpuDirs(const ProcFs& fs) {
  std::vector<std::string> dirs;
  Result<std::vector<std::string>> entries = fs.ListDir(fs.SysPath(kSysCpuDir));
  if (entries.ok()) {
    for (const std::string& e : entries.value()) {
      if (e.size() > 3 && e.compare(0, 3, "cpu") == 0 && ParseUint(std::string_view(e).substr(3))) {
        dirs.push_back(e);
      }
    }
  }
  return dirs;
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

namespace {

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> out;
  for (std::string_view w : SplitFields(s)) {
    out.emplace_back(w);
  }
  return out;
}

// Compiles an include filter; empty means "not set" (nullptr).
Result<std::unique_ptr<RE2>> CompileFilter(const std::string& pattern, const char* flag) {
  if (pattern.empty()) {
    return std::unique_ptr<RE2>();
  }
  auto re = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (!re->ok()) {
    return Status::Error(std::string(flag) + ": " + re->error());
  }
  return re;
}

}  // namespace

std::vector<CpuInfoEntry> ParseCpuinfo(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<CpuInfoEntry> cpus;
  for (std::string_view line : SplitLines(text)) {
    if (TrimSpace(line).empty()) {
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      ++*parse_errors;
      continue;
    }
    std::string_view key = TrimSpace(line.substr(0, colon));
    std::string_view value = TrimSpace(line.substr(colon + 1));
    if (key == "processor") {
      std::optional<std::uint64_t> n = ParseUint(value);
      if (!n || *n > 1u << 20) {
        ++*parse_errors;
        continue;
      }
      cpus.emplace_back().processor = static_cast<int>(*n);
      continue;
    }
    if (cpus.empty()) {
      continue;  // header lines some architectures print before the first processor
    }
    CpuInfoEntry& c = cpus.back();
    if (key == "vendor_id") {
      c.vendor = value;
    } else if (key == "cpu family") {
      c.family = value;
    } else if (key == "model") {
      c.model = value;
    } else if (key == "model name") {
      c.model_name = value;
    } else if (key == "stepping") {
      c.stepping = value;
    } else if (key == "microcode") {
      c.microcode = value;
    } else if (key == "cache size") {
      c.cache_size = value;
    } else if (key == "physical id") {
      c.physical_id = value;
    } else if (key == "core id") {
      c.core_id = value;
    } else if (key == "cpu MHz") {
      c.mhz = ParseDouble(value);
      if (!c.mhz) {
        ++*parse_errors;
      }
    } else if (key == "flags") {
      c.flags = SplitWords(value);
    } else if (key == "bugs") {
      c.bugs = SplitWords(value);
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

constexpr BoolOption kGuest{"cpu", "guest", true, "Enables metric node_cpu_guest_seconds_total."};
constexpr BoolOption kInfo{"cpu", "info", false, "Enables metric cpu_info."};
constexpr RegexOption kInfoFlagsInclude{
    "cpu", "info.flags-include", "",
    "Filter the `flags` field in cpuInfo with a value that must be a regular expression."};
constexpr RegexOption kInfoBugsInclude{
    "cpu", "info.bugs-include", "",
    "Filter the `bugs` field in cpuInfo with a value that must be a regular expression."};

CollectorSpec CpuCollectorSpec() {
  return {"cpu",
          true,
          "Exposes CPU time per mode (/proc/stat): node_cpu_seconds_total, node_cpu_guest_seconds_total; "
          "from sysfs node_cpu_core_throttles_total, node_cpu_package_throttles_total, node_cpu_isolated, "
          "node_cpu_online; with the info option node_cpu_info, node_cpu_frequency_hertz, node_cpu_flag_info, "
          "node_cpu_bug_info (/proc/cpuinfo).",
          {kGuest.Spec(), kInfo.Spec(), kInfoFlagsInclude.Spec(), kInfoBugsInclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            CpuInfoOptions info;
            Result<std::unique_ptr<RE2>> flags =
                CompileFilter(ctx.options.Get(kInfoFlagsInclude), "--collector.cpu.info.flags-include");
            Result<std::unique_ptr<RE2>> bugs =
                CompileFilter(ctx.options.Get(kInfoBugsInclude), "--collector.cpu.info.bugs-include");
            if (!flags.ok()) {
              return flags.status();
            }
            if (!bugs.ok()) {
              return bugs.status();
            }
            info.flags_include = std::move(flags).value();
            info.bugs_include = std::move(bugs).value();
            // As in node_exporter, asking for flags or bugs implies the info families.
            info.enabled = ctx.options.Get(kInfo) || info.flags_include || info.bugs_include;
            return CollectorPtr(std::make_unique<CpuCollector>(ctx.fs, ctx.options.Get(kGuest), std::move(info)));
          }};
}

}  // namespace hostwatch
