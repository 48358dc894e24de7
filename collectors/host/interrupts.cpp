#include "collectors/host/interrupts.h"

#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kInterrupts{
    "node_interrupts_total", "Interrupt details.", MetricType::Counter, {"cpu", "type", "info", "devices"}};

std::string JoinFields(const std::vector<std::string_view>& f, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < f.size(); ++i) {
    out += (i == from ? "" : " ");
    out += f[i];
  }
  return out;
}

class InterruptsCollector : public Collector {
 public:
  InterruptsCollector(const ProcFs& fs, DeviceFilter filter, bool include_zeros)
      : fs_(fs), filter_(std::move(filter)), include_zeros_(include_zeros) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("interrupts");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::map<std::string, Interrupt> interrupts = ParseInterrupts(text.value(), &errors);
    sink.CountParseError(errors);
    for (const auto& [name, irq] : interrupts) {
      // node_exporter filters on "<type>;<info>;<devices>".
      if (filter_.Ignored(name + ";" + irq.info + ";" + irq.devices)) {
        continue;
      }
      for (std::size_t cpu = 0; cpu < irq.per_cpu.size(); ++cpu) {
        if (include_zeros_ || irq.per_cpu[cpu] != 0) {
          sink.Add(kInterrupts, irq.per_cpu[cpu], {std::to_string(cpu), name, irq.info, irq.devices});
        }
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const DeviceFilter filter_;
  const bool include_zeros_;
};

}  // namespace

std::map<std::string, Interrupt> ParseInterrupts(std::string_view text, std::uint64_t* parse_errors) {
  std::map<std::string, Interrupt> out;
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.empty()) {
    return out;
  }
  const std::size_t cpus = SplitFields(lines[0]).size();  // "CPU0 CPU1 ..."
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::vector<std::string_view> f = SplitFields(lines[i].substr(colon + 1));
    if (f.size() < cpus + 1) {
      continue;  // ERR, MIS: one total, no per-CPU columns
    }
    std::string_view name = TrimSpace(lines[i].substr(0, colon));
    Interrupt irq;
    bool ok = true;
    for (std::size_t c = 0; c < cpus && ok; ++c) {
      std::optional<std::uint64_t> v = ParseUint(f[c]);
      ok = v.has_value();
      irq.per_cpu.push_back(v ? static_cast<double>(*v) : 0);
    }
    if (!ok || name.empty()) {
      ++*parse_errors;
      continue;
    }
    if (ParseUint(name)) {
      irq.info = std::string(f[cpus]);
      irq.devices = JoinFields(f, cpus + 1);
    } else {
      irq.info = JoinFields(f, cpus);
    }
    out[std::string(name)] = std::move(irq);
  }
  return out;
}

constexpr RegexOption kNameInclude{"interrupts", "name-include", "",
                                   "Regexp of interrupts name to include (mutually exclusive to "
                                   "--collector.interrupts.name-exclude)."};
constexpr RegexOption kNameExclude{"interrupts", "name-exclude", "",
                                   "Regexp of interrupts name to exclude (mutually exclusive to "
                                   "--collector.interrupts.name-include)."};
constexpr BoolOption kIncludeZeros{"interrupts", "include-zeros", true, "Include interrupts that have a zero value"};

CollectorSpec InterruptsCollectorSpec() {
  return {"interrupts",
          false,
          "Exposes per-CPU interrupt counts from /proc/interrupts: node_interrupts_total{cpu,devices,info,type}. "
          "The name filters match \"<type>;<info>;<devices>\".",
          {kNameInclude.Spec(), kNameExclude.Spec(), kIncludeZeros.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> filter = MakeDeviceFilter(
                {"name-exclude", "name-include", ""}, ctx.options.Get(kNameExclude), ctx.options.Get(kNameInclude));
            if (!filter.ok()) {
              return filter.status();
            }
            return CollectorPtr(std::make_unique<InterruptsCollector>(ctx.fs, std::move(filter.value()),
                                                                      ctx.options.Get(kIncludeZeros)));
          }};
}

}  // namespace hostwatch
