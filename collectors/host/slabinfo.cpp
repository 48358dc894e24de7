#include "collectors/host/slabinfo.h"

#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kSlabLabel = {"slab"};
const MetricDesc kActiveObjects{"node_slabinfo_active_objects",
                                "The number of objects that are currently active (i.e., in use).", MetricType::Gauge,
                                kSlabLabel};
const MetricDesc kObjects{"node_slabinfo_objects",
                          "The total number of allocated objects (i.e., objects that are both in use and not in use).",
                          MetricType::Gauge, kSlabLabel};
const MetricDesc kObjectSize{"node_slabinfo_object_size_bytes", "The size of objects in this slab, in bytes.",
                             MetricType::Gauge, kSlabLabel};
const MetricDesc kObjectsPerSlab{"node_slabinfo_objects_per_slab", "The number of objects stored in each slab.",
                                 MetricType::Gauge, kSlabLabel};
const MetricDesc kPagesPerSlab{"node_slabinfo_pages_per_slab", "The number of pages allocated for each slab.",
                               MetricType::Gauge, kSlabLabel};

// The 16 fields of a version 2.1 line: name, 5 numbers, ":", "tunables", 3 numbers,
// ":", "slabdata", 3 numbers. Only the first 5 numbers are exported.
constexpr std::size_t kV21Fields = 16;

std::optional<Slab> ParseLine(const std::vector<std::string_view>& f) {
  if (f.size() != kV21Fields) {
    return std::nullopt;
  }
  double v[5] = {};
  for (std::size_t i = 0; i < 5; ++i) {
    std::optional<std::int64_t> n = ParseInt(f[i + 1]);
    if (!n) {
      return std::nullopt;
    }
    v[i] = static_cast<double>(*n);
  }
  for (std::size_t i : {8, 9, 10, 13, 14, 15}) {  // procfs rejects the line when these are not numbers either
    if (!ParseInt(f[i])) {
      return std::nullopt;
    }
  }
  return Slab{std::string(f[0]), v[0], v[1], v[2], v[3], v[4]};
}

class SlabinfoCollector : public Collector {
 public:
  SlabinfoCollector(const ProcFs& fs, DeviceFilter filter) : fs_(fs), filter_(std::move(filter)) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("slabinfo");
    if (!text.ok()) {
      // /proc/slabinfo is readable by root only: an agent running unprivileged has
      // nothing to report here, which is not a fault of the host (node_exporter errors).
      if (text.status().sys_errno() == EACCES) {
        return Status::NoData(text.status().message(), EACCES);
      }
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<Slab> slabs = ParseSlabinfo(text.value(), &errors);
    sink.CountParseError(errors);
    for (const Slab& s : slabs) {
      if (filter_.Ignored(s.name)) {
        continue;
      }
      sink.Add(kActiveObjects, s.active_objects, {s.name});
      sink.Add(kObjects, s.objects, {s.name});
      sink.Add(kObjectSize, s.object_size, {s.name});
      sink.Add(kObjectsPerSlab, s.objects_per_slab, {s.name});
      sink.Add(kPagesPerSlab, s.pages_per_slab, {s.name});
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const DeviceFilter filter_;
};

}  // namespace

std::vector<Slab> ParseSlabinfo(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<Slab> out;
  for (std::string_view line : SplitLines(text)) {
    if (line.find("slabinfo -") != std::string_view::npos || line.find("# name") != std::string_view::npos) {
      continue;
    }
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    std::optional<Slab> s = ParseLine(f);
    if (!s) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(*s));
  }
  return out;
}

constexpr RegexOption kSlabsInclude{"slabinfo", "slabs-include", ".*", "Regexp of slabs to include in slabinfo collector."};
constexpr RegexOption kSlabsExclude{"slabinfo", "slabs-exclude", "", "Regexp of slabs to exclude in slabinfo collector."};

CollectorSpec SlabinfoCollectorSpec() {
  return {"slabinfo",
          false,
          "Exposes kernel slab cache sizes from /proc/slabinfo (readable by root only; otherwise no data): "
          "node_slabinfo_{active_objects,objects,object_size_bytes,objects_per_slab,pages_per_slab}{slab}.",
          {kSlabsInclude.Spec(), kSlabsExclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            // Both patterns apply together, as in node_exporter (no mutual exclusion here).
            Result<DeviceFilter> filter =
                DeviceFilter::Make(ctx.options.Get(kSlabsExclude), ctx.options.Get(kSlabsInclude));
            if (!filter.ok()) {
              return filter.status();
            }
            return CollectorPtr(std::make_unique<SlabinfoCollector>(ctx.fs, std::move(filter.value())));
          }};
}

}  // namespace hostwatch
