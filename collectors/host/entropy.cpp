#include "collectors/host/entropy.h"

#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kAvailable{"node_entropy_available_bits", "Bits of available entropy.", MetricType::Gauge, {}};
const MetricDesc kPoolSize{"node_entropy_pool_size_bits", "Bits of entropy pool.", MetricType::Gauge, {}};

class EntropyCollector : public Collector {
 public:
  explicit EntropyCollector(const ProcFs& fs) : fs_(fs) {}

  // node_exporter fails the collector when either file is missing or bad
  // (every kernel has both), and still reports entropy_avail when only
  // poolsize is wrong; this keeps the same order.
  Status Collect(MetricSink& sink) override {
    Status s = AddFile(sink, "sys/kernel/random/entropy_avail", kAvailable);
    if (!s.ok()) {
      return s;
    }
    return AddFile(sink, "sys/kernel/random/poolsize", kPoolSize);
  }

 private:
  Status AddFile(MetricSink& sink, std::string_view rel, const MetricDesc& desc) {
    std::uint64_t errors = 0;
    Result<double> v = files_.ReadProcUint(rel, &errors);
    sink.CountParseError(errors);
    if (!v.ok()) {
      return Status::Error(v.status().message());  // a missing file fails too (not NoData)
    }
    sink.Add(desc, v.value());
    return Status::OK();
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

CollectorSpec EntropyCollectorSpec() {
  return {"entropy",
          true,
          "Exposes the kernel's entropy pool from /proc/sys/kernel/random: node_entropy_available_bits, "
          "node_entropy_pool_size_bits.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<EntropyCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
