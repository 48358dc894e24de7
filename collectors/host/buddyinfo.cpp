#include "collectors/host/buddyinfo.h"

#include <memory>
#include <optional>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kBlocks{"node_buddyinfo_blocks", "Count of free blocks according to size.", MetricType::Gauge,
                         {"node", "zone", "size"}};

std::string_view TrimComma(std::string_view s) {
  while (!s.empty() && s.back() == ',') {
    s.remove_suffix(1);
  }
  return s;
}

class BuddyinfoCollector : public Collector {
 public:
  explicit BuddyinfoCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("buddyinfo");
    if (!text.ok()) {
      return text.status();  // missing (no such kernel file): NoData
    }
    std::uint64_t errors = 0;
    std::vector<BuddyZone> zones = ParseBuddyinfo(text.value(), &errors);
    sink.CountParseError(errors);
    for (const BuddyZone& z : zones) {
      for (std::size_t i = 0; i < z.sizes.size(); ++i) {
        sink.Add(kBlocks, z.sizes[i], {z.node, z.zone, std::to_string(i)});
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

std::vector<BuddyZone> ParseBuddyinfo(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<BuddyZone> out;
  std::optional<std::size_t> columns;  // the first good line's count: every zone has the same orders
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    if (f.size() < 4 || (columns && f.size() - 4 != *columns)) {
      ++*parse_errors;
      continue;
    }
    BuddyZone z{std::string(TrimComma(f[1])), std::string(TrimComma(f[3])), {}};
    bool good = true;
    for (std::size_t i = 4; i < f.size() && good; ++i) {
      std::optional<double> v = ParseDouble(f[i]);
      good = v.has_value();
      z.sizes.push_back(v.value_or(0));
    }
    if (!good) {
      ++*parse_errors;
      continue;
    }
    columns = f.size() - 4;
    out.push_back(std::move(z));
  }
  return out;
}

CollectorSpec BuddyinfoCollectorSpec() {
  return {"buddyinfo",
          false,
          "Exposes free memory blocks per NUMA node, zone and order from /proc/buddyinfo: "
          "node_buddyinfo_blocks{node,zone,size}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<BuddyinfoCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
