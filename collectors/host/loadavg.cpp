#include "collectors/host/loadavg.h"

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kLoad1{"node_load1", "1m load average.", MetricType::Gauge, {}};
const MetricDesc kLoad5{"node_load5", "5m load average.", MetricType::Gauge, {}};
const MetricDesc kLoad15{"node_load15", "15m load average.", MetricType::Gauge, {}};

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("loadavg");
    if (!text.ok()) {
      return text.status();
    }
    Result<LoadAverages> load = ParseLoadavg(text.value());
    if (!load.ok()) {
      return load.status();
    }
    sink.Add(kLoad1, load.value().load1);
    sink.Add(kLoad5, load.value().load5);
    sink.Add(kLoad15, load.value().load15);
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

Result<LoadAverages> ParseLoadavg(std::string_view text) {
  std::vector<std::string_view> f = SplitFields(TrimSpace(text));
  if (f.size() < 3) {
    return Status::Error("unexpected /proc/loadavg content: \"" + std::string(TrimSpace(text)) + "\"");
  }
  double v[3];
  for (int i = 0; i < 3; ++i) {
    std::optional<double> d = ParseDouble(f[static_cast<std::size_t>(i)]);
    if (!d) {
      return Status::Error("bad load average \"" + std::string(f[static_cast<std::size_t>(i)]) + "\" in /proc/loadavg");
    }
    v[i] = *d;
  }
  return LoadAverages{v[0], v[1], v[2]};
}

CollectorSpec LoadavgCollectorSpec() {
  return {"loadavg", true, "Exposes load average (/proc/loadavg): node_load1, node_load5, node_load15.", {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<LoadavgCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
