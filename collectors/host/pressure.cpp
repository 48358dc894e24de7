#include "collectors/host/pressure.h"

#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kCpuWaiting{"node_pressure_cpu_waiting_seconds_total",
                             "Total time in seconds that processes have waited for CPU time",
                             MetricType::Counter,
                             {}};
const MetricDesc kIoWaiting{"node_pressure_io_waiting_seconds_total",
                            "Total time in seconds that processes have waited due to IO congestion",
                            MetricType::Counter,
                            {}};
const MetricDesc kIoStalled{"node_pressure_io_stalled_seconds_total",
                            "Total time in seconds no process could make progress due to IO congestion",
                            MetricType::Counter,
                            {}};
const MetricDesc kMemoryWaiting{"node_pressure_memory_waiting_seconds_total",
                                "Total time in seconds that processes have waited for memory",
                                MetricType::Counter,
                                {}};
const MetricDesc kMemoryStalled{"node_pressure_memory_stalled_seconds_total",
                                "Total time in seconds no process could make progress due to memory congestion",
                                MetricType::Counter,
                                {}};
const MetricDesc kIrqStalled{"node_pressure_irq_stalled_seconds_total",
                             "Total time in seconds no process could make progress due to IRQ congestion",
                             MetricType::Counter,
                             {}};

// One PSI resource: which lines it must have and where they go.
struct Resource {
  const char* file;
  const MetricDesc* some;  // nullptr: "some" is not exported (irq has none)
  const MetricDesc* full;  // nullptr: "full" is not exported (cpu's is not)
};
const Resource kResources[] = {
    {"pressure/cpu", &kCpuWaiting, nullptr},
    {"pressure/io", &kIoWaiting, &kIoStalled},
    {"pressure/memory", &kMemoryWaiting, &kMemoryStalled},
    {"pressure/irq", nullptr, &kIrqStalled},
};

// node_exporter divides twice (float64(us) / 1000.0 / 1000.0); doing the same
// keeps the last bit identical (14036781 us prints as 14.036781000000001).
double MicrosToSeconds(std::uint64_t us) { return static_cast<double>(us) / 1000.0 / 1000.0; }

class PressureCollector : public Collector {
 public:
  explicit PressureCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    int found = 0;
    for (const Resource& r : kResources) {
      Result<std::string> text = files_.ReadProc(r.file);
      if (!text.ok()) {
        if (text.status().no_data()) {
          continue;  // kernel without this resource (irq needs 6.1+)
        }
        // With CONFIG_PSI_DEFAULT_DISABLED (or psi=0) the files exist but reading
        // them fails with EOPNOTSUPP; node_exporter reports that as "no data".
        if (text.status().IsNotSupported()) {
          return Status::NoData("pressure information is disabled (boot with psi=1 to enable): " +
                                text.status().message());
        }
        return text.status();
      }
      std::uint64_t errors = 0;
      PressureTotals t = ParsePressure(text.value(), &errors);
      sink.CountParseError(errors);
      if (r.some != nullptr && !t.some_us) {
        return Status::NoData("no \"some\" line in " + fs_.ProcPath(r.file));
      }
      // cpu's "full" line (kernel 5.13+) is not exported, so it is not required either.
      if (r.full != nullptr && !t.full_us) {
        return Status::NoData("no \"full\" line in " + fs_.ProcPath(r.file));
      }
      if (r.some != nullptr) {
        sink.Add(*r.some, MicrosToSeconds(*t.some_us));
      }
      if (r.full != nullptr) {
        sink.Add(*r.full, MicrosToSeconds(*t.full_us));
      }
      ++found;
    }
    if (found == 0) {
      return Status::NoData("no pressure files under " + fs_.ProcPath("pressure") +
                            " (needs Linux >= 4.20 with CONFIG_PSI)");
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

PressureTotals ParsePressure(std::string_view text, std::uint64_t* parse_errors) {
  PressureTotals t;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    std::optional<std::uint64_t> total;
    for (std::size_t i = 1; i < f.size(); ++i) {
      if (f[i].substr(0, 6) == "total=") {
        total = ParseUint(f[i].substr(6));
      }
    }
    if (!total || (f[0] != "some" && f[0] != "full")) {
      ++*parse_errors;
      continue;
    }
    (f[0] == "some" ? t.some_us : t.full_us) = total;
  }
  return t;
}

CollectorSpec PressureCollectorSpec() {
  return {"pressure",
          true,
          "Exposes pressure stall information from /proc/pressure/{cpu,io,memory,irq}: "
          "node_pressure_*_seconds_total.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<PressureCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
