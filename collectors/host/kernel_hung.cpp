#include "collectors/host/kernel_hung.h"

#include <memory>

#include "collectors/core/cached_file.h"

namespace hostwatch {
namespace {

const MetricDesc kHungTasks{"node_kernel_hung_tasks_total",
                            "Total number of tasks that have been detected as hung since the system booted.",
                            MetricType::Counter,
                            {}};

class KernelHungCollector : public Collector {
 public:
  explicit KernelHungCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    Result<double> count = files_.ReadProcUint("sys/kernel/hung_task_detect_count", &errors);
    sink.CountParseError(errors);
    if (!count.ok()) {
      return count.status();
    }
    sink.Add(kHungTasks, count.value());
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

CollectorSpec KernelHungCollectorSpec() {
  return {"kernel_hung",
          true,
          "Exposes the number of tasks detected as hung since boot (/proc/sys/kernel/hung_task_detect_count): "
          "node_kernel_hung_tasks_total.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<KernelHungCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
