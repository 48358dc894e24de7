#include "collectors/host/swap.h"

#include <memory>
#include <optional>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kSwapLabels = {"device", "swap_type"};
const MetricDesc kSize{"node_swap_size_bytes", "Swap device size in bytes.", MetricType::Gauge, kSwapLabels};
const MetricDesc kUsed{"node_swap_used_bytes", "Swap device used in bytes.", MetricType::Gauge, kSwapLabels};
const MetricDesc kPriority{"node_swap_priority", "Swap device priority.", MetricType::Gauge, kSwapLabels};

class SwapCollector : public Collector {
 public:
  explicit SwapCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("swaps");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<SwapArea> areas = ParseSwaps(text.value(), &errors);
    sink.CountParseError(errors);
    for (const SwapArea& a : areas) {
      // The kernel prints KiB (mm/swapfile.c, swap_show); exported in bytes.
      sink.Add(kSize, static_cast<double>(a.size_kib * 1024), {a.device, a.type});
      sink.Add(kUsed, static_cast<double>(a.used_kib * 1024), {a.device, a.type});
      sink.Add(kPriority, static_cast<double>(a.priority), {a.device, a.type});
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc/swaps re-read through a kept descriptor
};

}  // namespace

std::vector<SwapArea> ParseSwaps(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<SwapArea> out;
  std::vector<std::string_view> lines = SplitLines(text);
  for (std::size_t n = 1; n < lines.size(); ++n) {  // line 0 is the column header
    std::vector<std::string_view> f = SplitFields(lines[n]);
    if (f.empty()) {
      continue;
    }
    std::optional<std::int64_t> size = f.size() >= 5 ? ParseInt(f[2]) : std::nullopt;
    std::optional<std::int64_t> used = f.size() >= 5 ? ParseInt(f[3]) : std::nullopt;
    std::optional<std::int64_t> priority = f.size() >= 5 ? ParseInt(f[4]) : std::nullopt;
    if (!size || !used || !priority) {
      ++*parse_errors;
      continue;
    }
    out.push_back({std::string(f[0]), std::string(f[1]), *size, *used, *priority});
  }
  return out;
}

CollectorSpec SwapCollectorSpec() {
  return {"swap",
          false,
          "Exposes each swap area of /proc/swaps: node_swap_{size_bytes,used_bytes,priority}{device,swap_type}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<SwapCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
