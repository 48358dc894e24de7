#include "collectors/host/cpufreq.h"

#include <algorithm>
#include <cerrno>
#include <memory>

#include "collectors/core/parse_util.h"
#include "collectors/host/cpu.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kCpuLabel = {"cpu"};
const MetricDesc kFrequency{"node_cpu_frequency_hertz", "Current CPU thread frequency in hertz.", MetricType::Gauge,
                            kCpuLabel};
const MetricDesc kFrequencyAvg{"node_cpu_frequency_avg_hertz", "Average CPU thread frequency in hertz.",
                               MetricType::Gauge, kCpuLabel};
const MetricDesc kFrequencyMin{"node_cpu_frequency_min_hertz", "Minimum CPU thread frequency in hertz.",
                               MetricType::Gauge, kCpuLabel};
const MetricDesc kFrequencyMax{"node_cpu_frequency_max_hertz", "Maximum CPU thread frequency in hertz.",
                               MetricType::Gauge, kCpuLabel};
const MetricDesc kScaling{"node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz.",
                          MetricType::Gauge, kCpuLabel};
const MetricDesc kScalingMin{"node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz.",
                             MetricType::Gauge, kCpuLabel};
const MetricDesc kScalingMax{"node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz.",
                             MetricType::Gauge, kCpuLabel};
const MetricDesc kGovernor{
    "node_cpu_scaling_governor", "Current enabled CPU frequency governor.", MetricType::Gauge, {"cpu", "governor"}};

// The optional frequency files, each with its field and family.
struct FrequencyFile {
  const char* file;
  std::optional<std::uint64_t> CpufreqCpu::*field;
  const MetricDesc* desc;
};
const FrequencyFile kFrequencyFiles[] = {
    {"cpuinfo_cur_freq", &CpufreqCpu::cpuinfo_cur_khz, &kFrequency},
    {"cpuinfo_avg_freq", &CpufreqCpu::cpuinfo_avg_khz, &kFrequencyAvg},
    {"cpuinfo_min_freq", &CpufreqCpu::cpuinfo_min_khz, &kFrequencyMin},
    {"cpuinfo_max_freq", &CpufreqCpu::cpuinfo_max_khz, &kFrequencyMax},
    {"scaling_cur_freq", &CpufreqCpu::scaling_cur_khz, &kScaling},
    {"scaling_min_freq", &CpufreqCpu::scaling_min_khz, &kScalingMin},
    {"scaling_max_freq", &CpufreqCpu::scaling_max_khz, &kScalingMax},
};
// Files upstream fails without, although only the two governor files feed a
// family: a cpufreq directory lacking them is not one node_exporter accepts.
constexpr const char* kRequiredFiles[] = {"scaling_available_governors", "scaling_driver", "scaling_governor",
                                          "related_cpus", "scaling_setspeed"};

constexpr std::string_view kSysCpuDir = "devices/system/cpu";

class CpufreqCollector : public Collector {
 public:
  explicit CpufreqCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::vector<std::string>> cpu_dirs = OnlineCpuDirs();
    if (!cpu_dirs.ok()) {
      return cpu_dirs.status();
    }
    Result<DirHandle> root = fs_.OpenDir(fs_.SysPath(kSysCpuDir));
    if (!root.ok()) {
      return root.status();
    }
    // Everything is read before anything is added: like upstream, a CPU that
    // fails the read fails the scrape as a whole rather than leaving a partial one.
    std::vector<CpufreqCpu> cpus;
    for (const std::string& dir : cpu_dirs.value()) {
      Result<DirHandle> freq_dir = root.value().OpenDir(dir + "/cpufreq");
      if (!freq_dir.ok()) {
        if (freq_dir.status().no_data()) {
          continue;  // this CPU has no cpufreq driver
        }
        return freq_dir.status();
      }
      Result<CpufreqCpu> cpu = ReadCpu(freq_dir.value(), dir.substr(3), sink);
      if (!cpu.ok()) {
        return cpu.status();
      }
      cpus.push_back(std::move(cpu).value());
    }
    if (cpus.empty()) {
      return Status::NoData("no cpuN/cpufreq directory under " + fs_.SysPath(kSysCpuDir));
    }
    for (const CpufreqCpu& cpu : cpus) {
      Add(sink, cpu);
    }
    return Status::OK();
  }

 private:
  // cpuN directories less the CPUs in the "offline" list (their cpufreq
  // files are stale or unreadable). Upstream requires the offline file.
  Result<std::vector<std::string>> OnlineCpuDirs() const {
    std::vector<std::string> dirs = ListSysCpuDirs(fs_);
    if (dirs.empty()) {
      return Status::NoData("no cpuN directory under " + fs_.SysPath(kSysCpuDir));
    }
    const std::string offline_path = fs_.SysPath(std::string(kSysCpuDir) + "/offline");
    Result<std::string> offline_text = fs_.ReadAttribute(offline_path);
    if (!offline_text.ok()) {
      return Status::Error(offline_text.status().message());
    }
    Result<std::vector<int>> offline = ParseCpuList(offline_text.value());
    if (!offline.ok()) {
      return Status::Error(offline_path + ": " + offline.status().message());
    }
    const std::vector<int>& off = offline.value();
    std::erase_if(dirs, [&](const std::string& dir) {
      std::optional<std::uint64_t> n = ParseUint(std::string_view(dir).substr(3));
      return std::find(off.begin(), off.end(), static_cast<int>(*n)) != off.end();
    });
    return dirs;
  }

  static Result<CpufreqCpu> ReadCpu(const DirHandle& dir, std::string cpu_number, MetricSink& sink) {
    CpufreqCpu cpu;
    cpu.cpu = std::move(cpu_number);
    for (const FrequencyFile& f : kFrequencyFiles) {
      Result<std::string> text = dir.ReadAttribute(f.file);
      if (!text.ok()) {
        // Missing: the driver does not offer it; EACCES: cpuinfo_cur_freq is
        // root-only (mode 0400), and a non-root agent simply lacks that family.
        const int err = text.status().sys_errno();
        if (err == ENOENT || err == EACCES || err == EPERM) {
          continue;
        }
        return text.status();
      }
      cpu.*f.field = ParseCpufreqKhz(text.value());
      if (!(cpu.*f.field)) {
        sink.CountParseError();  // upstream fails the scrape; we drop just this value
      }
    }
    for (const char* name : kRequiredFiles) {
      Result<std::string> text = dir.ReadAttribute(name);
      if (!text.ok()) {
        // Even when missing: a cpufreq directory without it is broken, not absent.
        return Status::Error(text.status().message());
      }
      std::string_view value = TrimSpace(text.value());
      if (std::string_view(name) == "scaling_governor") {
        cpu.governor = value;
      } else if (std::string_view(name) == "scaling_available_governors") {
        cpu.available_governors = value;
      }
    }
    return cpu;
  }

  static void Add(MetricSink& sink, const CpufreqCpu& cpu) {
    for (const FrequencyFile& f : kFrequencyFiles) {
      if (const std::optional<std::uint64_t>& khz = cpu.*f.field) {
        sink.Add(*f.desc, static_cast<double>(*khz) * 1000.0, {cpu.cpu});  // the kernel writes kHz
      }
    }
    for (const auto& [governor, current] : GovernorStates(cpu.governor, cpu.available_governors)) {
      sink.Add(kGovernor, current ? 1 : 0, {cpu.cpu, governor});
    }
  }

  const ProcFs& fs_;
};

}  // namespace

std::optional<std::uint64_t> ParseCpufreqKhz(std::string_view text) { return ParseUint(TrimSpace(text)); }

std::vector<std::pair<std::string, bool>> GovernorStates(std::string_view governor, std::string_view available) {
  std::vector<std::pair<std::string, bool>> out;
  if (governor.empty()) {
    return out;
  }
  while (true) {
    const std::size_t space = available.find(' ');
    std::string_view name = available.substr(0, space);
    out.emplace_back(std::string(name), name == governor);
    if (space == std::string_view::npos) {
      return out;
    }
    available.remove_prefix(space + 1);
  }
}

CollectorSpec CpufreqCollectorSpec() {
  return {"cpufreq",
          true,
          "Exposes CPU frequency scaling from sysfs devices/system/cpu/cpuN/cpufreq: "
          "node_cpu_frequency_{hertz,avg_hertz,min_hertz,max_hertz}, "
          "node_cpu_scaling_frequency_{hertz,min_hertz,max_hertz}, node_cpu_scaling_governor.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<CpufreqCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
