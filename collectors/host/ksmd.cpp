#include "collectors/host/ksmd.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

struct KsmdFile {
  std::string_view file;  // under /sys/kernel/mm/ksm
  MetricDesc desc;
};

const std::vector<KsmdFile> kFiles = {
    {"full_scans",
     {"node_ksmd_full_scans_total", "How many times all mergeable areas have been scanned.", MetricType::Counter, {}}},
    {"general_profit",
     {"node_ksmd_general_profit_bytes",
      "How effective is KSM. ksm_saved_pages * sizeof(page) - (all_rmap_items) * sizeof(rmap_item)",
      MetricType::Gauge,
      {}}},
    {"merge_across_nodes",
     {"node_ksmd_merge_across_nodes", "Specifies if pages from different NUMA nodes can be merged.",
      MetricType::Gauge,
      {}}},
    {"pages_shared", {"node_ksmd_pages_shared", "How many shared pages are being used.", MetricType::Gauge, {}}},
    {"pages_sharing",
     {"node_ksmd_pages_sharing", "How many more sites are sharing them i.e. how much saved.", MetricType::Gauge, {}}},
    {"pages_to_scan",
     {"node_ksmd_pages_to_scan", "How many pages to scan before ksmd goes to sleep.", MetricType::Gauge, {}}},
    {"pages_unshared",
     {"node_ksmd_pages_unshared", "How many pages unique but repeatedly checked for merging.", MetricType::Gauge, {}}},
    {"pages_volatile",
     {"node_ksmd_pages_volatile", "How many pages changing too fast to be placed in a tree.", MetricType::Gauge, {}}},
    {"run", {"node_ksmd_run", "The status of ksmd. stopped = 0, running = 1", MetricType::Gauge, {}}},
    {"sleep_millisecs",
     {"node_ksmd_sleep_seconds", "How many seconds ksmd should sleep before next scan.", MetricType::Gauge, {}}},
};

class KsmdCollector : public Collector {
 public:
  explicit KsmdCollector(const ProcFs& fs) : fs_(fs) {}

  // Like node_exporter, a missing file is skipped (older kernels lack
  // general_profit); a kernel without KSM at all has none: NoData.
  Status Collect(MetricSink& sink) override {
    std::size_t found = 0;
    for (const KsmdFile& f : kFiles) {
      Result<std::string> text = files_.ReadAttribute(fs_.SysPath("kernel/mm/ksm/" + std::string(f.file)));
      if (!text.ok() && text.status().no_data()) {
        continue;
      }
      if (!text.ok()) {
        return text.status();
      }
      ++found;
      std::optional<double> v = ParseUintValue(text.value());
      if (!v) {
        sink.CountParseError(1);
        return Status::Error("kernel/mm/ksm/" + std::string(f.file) + ": not an unsigned number");
      }
      sink.Add(f.desc, KsmdValue(f.file, *v));
    }
    return found == 0 ? Status::NoData("no " + fs_.SysPath("kernel/mm/ksm") + " (kernel without KSM)")
                      : Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_, kFiles.size()};  // sysfs files re-read through kept descriptors
};

}  // namespace

double KsmdValue(std::string_view file, double raw) { return file == "sleep_millisecs" ? raw / 1000 : raw; }

CollectorSpec KsmdCollectorSpec() {
  return {"ksmd",
          false,
          "Exposes kernel same-page merging (KSM) state from /sys/kernel/mm/ksm: node_ksmd_full_scans_total, "
          "node_ksmd_{run,sleep_seconds,pages_*,merge_across_nodes,general_profit_bytes}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<KsmdCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
