#include "collectors/host/zoneinfo.h"

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kNodeZone = {"node", "zone"};

struct ZoneField {
  std::string_view key;  // as zoneinfo spells it
  MetricDesc desc;
};

MetricDesc Gauge(std::string name, std::string help) {
  return {"node_zoneinfo_" + name, std::move(help), MetricType::Gauge, kNodeZone};
}
MetricDesc Counter(std::string name, std::string help) {
  return {"node_zoneinfo_" + name, std::move(help), MetricType::Counter, kNodeZone};
}

const std::vector<ZoneField> kFields = {
    {"nr_free_pages", Gauge("nr_free_pages", "Total number of free pages in the zone")},
    {"min", Gauge("min_pages", "Zone watermark pages_min")},
    {"low", Gauge("low_pages", "Zone watermark pages_low")},
    {"high", Gauge("high_pages", "Zone watermark pages_high")},
    {"scanned", Gauge("scanned_pages", "Pages scanned since last reclaim")},
    {"spanned", Gauge("spanned_pages", "Total pages spanned by the zone, including holes")},
    {"present", Gauge("present_pages", "Physical pages existing within the zone")},
    {"managed", Gauge("managed_pages", "Present pages managed by the buddy system")},
    {"nr_active_anon", Gauge("nr_active_anon_pages", "Number of anonymous pages recently more used")},
    {"nr_inactive_anon", Gauge("nr_inactive_anon_pages", "Number of anonymous pages recently less used")},
    {"nr_isolated_anon", Gauge("nr_isolated_anon_pages", "Temporary isolated pages from anon lru")},
    {"nr_anon_pages", Gauge("nr_anon_pages", "Number of anonymous pages currently used by the system")},
    {"nr_anon_transparent_hugepages",
     Gauge("nr_anon_transparent_hugepages", "Number of anonymous transparent huge pages currently used by the system")},
    {"nr_active_file", Gauge("nr_active_file_pages", "Number of active pages with file-backing")},
    {"nr_inactive_file", Gauge("nr_inactive_file_pages", "Number of inactive pages with file-backing")},
    {"nr_isolated_file", Gauge("nr_isolated_file_pages", "Temporary isolated pages from file lru")},
    {"nr_file_pages", Gauge("nr_file_pages", "Number of file pages")},
    {"nr_slab_reclaimable", Gauge("nr_slab_reclaimable_pages", "Number of reclaimable slab pages")},
    {"nr_slab_unreclaimable", Gauge("nr_slab_unreclaimable_pages", "Number of unreclaimable slab pages")},
    {"nr_mlock_stack", Gauge("nr_mlock_stack_pages", "mlock()ed pages found and moved off LRU")},
    {"nr_kernel_stack", Gauge("nr_kernel_stacks", "Number of kernel stacks")},
    {"nr_mapped", Gauge("nr_mapped_pages", "Number of mapped pages")},
    {"nr_dirty", Gauge("nr_dirty_pages", "Number of dirty pages")},
    {"nr_writeback", Gauge("nr_writeback_pages", "Number of writeback pages")},
    {"nr_unevictable", Gauge("nr_unevictable_pages", "Number of unevictable pages")},
    {"nr_shmem", Gauge("nr_shmem_pages", "Number of shmem pages (included tmpfs/GEM pages)")},
    {"nr_dirtied", Counter("nr_dirtied_total", "Page dirtyings since bootup")},
    {"nr_written", Counter("nr_written_total", "Page writings since bootup")},
    {"numa_hit", Counter("numa_hit_total", "Allocated in intended node")},
    {"numa_miss", Counter("numa_miss_total", "Allocated in non intended node")},
    {"numa_foreign", Counter("numa_foreign_total", "Was intended here, hit elsewhere")},
    {"numa_interleave", Counter("numa_interleave_total", "Interleaver preferred this zone")},
    {"numa_local", Counter("numa_local_total", "Allocation from local node")},
    {"numa_other", Counter("numa_other_total", "Allocation from other node")},
};

bool IsExportedKey(std::string_view key) {
  for (const ZoneField& f : kFields) {
    if (f.key == key) {
      return true;
    }
  }
  return false;
}

// "0, zone   DMA32" (the text after "Node"): node and zone, or false.
bool ParseHeader(std::string_view line, ZoneinfoZone* z) {
  std::vector<std::string_view> f = SplitFields(line);
  if (f.size() < 3 || f[0].size() < 2 || f[0].back() != ',' || f[1] != "zone" ||
      !ParseUint(f[0].substr(0, f[0].size() - 1))) {
    return false;
  }
  z->node = std::string(f[0].substr(0, f[0].size() - 1));
  z->zone = std::string(f[2]);
  return true;
}

// "protection: (0, 2039, 31932)" -> the numbers; empty when one is not an integer.
std::vector<double> ParseProtection(std::string_view line) {
  std::string_view inner = line.substr(line.find(':') + 1);
  std::vector<double> out;
  for (std::string_view f : SplitFields(inner)) {
    while (!f.empty() && (f.front() == '(')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ')' || f.back() == ',')) f.remove_suffix(1);
    std::optional<std::int64_t> v = ParseInt(f);
    if (!v) {
      return {};
    }
    out.push_back(static_cast<double>(*v));
  }
  return out;
}

// The lines of one block after its header.
void ParseBlockBody(const std::vector<std::string_view>& lines, ZoneinfoZone* z, std::uint64_t* parse_errors) {
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string_view> f = SplitFields(lines[i]);
    if (f.size() < 2) {
      continue;
    }
    if (f[0] == "protection:") {
      z->protection = ParseProtection(lines[i]);
      *parse_errors += z->protection.empty() ? 1 : 0;
    } else if (IsExportedKey(f[0])) {
      std::optional<std::int64_t> v = ParseInt(f[1]);
      if (!v) {
        ++*parse_errors;
        continue;
      }
      z->values.insert_or_assign(std::string(f[0]), static_cast<double>(*v));
    }
  }
}

class ZoneinfoCollector : public Collector {
 public:
  explicit ZoneinfoCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("zoneinfo");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<ZoneinfoZone> zones = ParseZoneinfo(text.value(), &errors);
    sink.CountParseError(errors);
    for (const ZoneinfoZone& z : zones) {
      for (const ZoneField& f : kFields) {
        if (auto it = z.values.find(f.key); it != z.values.end()) {
          sink.Add(f.desc, it->second, {z.node, z.zone});
        }
      }
      for (std::size_t i = 0; i < z.protection.size(); ++i) {
        sink.Add(ProtectionDesc(i), z.protection[i], {z.node, z.zone});
      }
    }
    return Status::OK();
  }

 private:
  // node_zoneinfo_protection_<i>: one family per index of the protection array.
  const MetricDesc& ProtectionDesc(std::size_t i) {
    while (protection_descs_.size() <= i) {
      std::string n = std::to_string(protection_descs_.size());
      protection_descs_.push_back(Gauge("protection_" + n, "Protection array " + n + ". field"));
    }
    return protection_descs_[i];
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  std::deque<MetricDesc> protection_descs_;  // deque: the sink may keep pointers while more are added
};

}  // namespace

std::vector<ZoneinfoZone> ParseZoneinfo(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<ZoneinfoZone> out;
  std::vector<std::string_view> block;
  auto finish = [&] {
    if (block.empty()) {
      return;
    }
    ZoneinfoZone z;
    if (!ParseHeader(block[0].substr(4), &z)) {
      ++*parse_errors;
    } else {
      ParseBlockBody(block, &z, parse_errors);
      out.push_back(std::move(z));
    }
    block.clear();
  };
  for (std::string_view line : SplitLines(text)) {
    if (line.substr(0, 4) == "Node") {
      finish();
    } else if (block.empty()) {
      if (!TrimSpace(line).empty()) {
        ++*parse_errors;  // text before the first block
      }
      continue;
    }
    block.push_back(line);
  }
  finish();
  return out;
}

CollectorSpec ZoneinfoCollectorSpec() {
  return {"zoneinfo",
          false,
          "Exposes per NUMA node and zone page counts, watermarks and NUMA allocation counters from /proc/zoneinfo: "
          "node_zoneinfo_*{node,zone}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<ZoneinfoCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
