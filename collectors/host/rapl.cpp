#include "collectors/host/rapl.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>
#include <optional>
#include <vector>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

const MetricDesc kJoulesWithZone{
    "node_rapl_joules_total", "Current RAPL value in joules", MetricType::Counter, {"index", "path", "rapl_zone"}};

// Go's strconv.Atoi: optional sign, decimal digits, fits in an int.
std::optional<int> GoAtoi(std::string_view s) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
  }
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

struct Zone {
  RaplZoneName id;
  std::string path;
  DirHandle dir;
};

class RaplCollector : public Collector {
 public:
  RaplCollector(const ProcFs& fs, bool zone_label) : fs_(fs), zone_label_(zone_label) {}

  Status Collect(MetricSink& sink) override {
    Result<std::vector<Zone>> zones = Zones();
    if (!zones.ok()) {
      return zones.status();
    }
    for (const Zone& z : zones.value()) {
      Result<std::string> text = z.dir.ReadAttribute("energy_uj");
      if (!text.ok() && (text.status().sys_errno() == EACCES || text.status().sys_errno() == EPERM)) {
        // energy_uj is root-only since Linux 5.10 (a side channel,
        // CVE-2020-8694); node_exporter reports no data for the whole
        // collector then.
        return Status::NoData("RAPL energy counters need root: cannot read " + z.path + "/energy_uj");
      }
      if (!text.ok()) {
        // A zone without its counter is an error, not "no data": the zone is there.
        return text.status().no_data() ? Status::Error(text.status().message()) : text.status();
      }
      std::optional<std::uint64_t> uj = ParseUint(TrimSpace(text.value()));
      if (!uj) {
        sink.CountParseError();
        continue;
      }
      Add(z, static_cast<double>(*uj) / 1e6, sink);
    }
    return Status::OK();
  }

 private:
  void Add(const Zone& z, double joules, MetricSink& sink) {
    const std::string index = std::to_string(z.id.index);
    if (zone_label_) {
      sink.Add(kJoulesWithZone, joules, {index, z.path, z.id.name});
      return;
    }
    const std::string metric = "node_rapl_" + SanitizeMetricName(z.id.name) + "_joules_total";
    auto it = descs_.find(metric);
    if (it == descs_.end()) {
      it = descs_
               .emplace(metric, MetricDesc{metric,
                                           "Current RAPL " + z.id.name + " value in joules",
                                           MetricType::Counter,
                                           {"index", "path"}})
               .first;
    }
    sink.Add(it->second, joules, {index, z.path});
  }

  // The zones with a readable name file. A zone whose max_energy_range_uj
  // cannot be read or parsed fails the scrape, as in procfs (permission
  // denied makes it "no data").
  Result<std::vector<Zone>> Zones() const {
    const std::string root = fs_.SysPath("class/powercap");
    Result<DirHandle> class_dir = fs_.OpenDir(root);
    Result<std::vector<std::string>> names =
        class_dir.ok() ? class_dir.value().List() : Result<std::vector<std::string>>(class_dir.status());
    if (!names.ok()) {
      return names.status();
    }
    std::vector<Zone> zones;
    std::map<std::string, int> counts;
    for (const std::string& entry : names.value()) {
      Result<DirHandle> dir = class_dir.value().OpenDir(entry);
      Result<std::string> name = dir.ok() ? dir.value().ReadFile("name") : Result<std::string>(dir.status());
      if (!name.ok()) {
        continue;  // not a zone (the intel-rapl control type has no name)
      }
      Result<std::string> range = dir.value().ReadAttribute("max_energy_range_uj");
      if (!range.ok()) {
        const int e = range.status().sys_errno();
        return e == EACCES || e == EPERM ? Status::NoData("cannot read " + root + "/" + entry + "/max_energy_range_uj")
                                         : range.status();
      }
      if (!ParseUint(TrimSpace(range.value()))) {
        return Status::Error(root + "/" + entry + "/max_energy_range_uj: not a number");
      }
      zones.push_back({RaplZoneNameAndIndex(name.value(), &counts), root + "/" + entry, std::move(dir).value()});
    }
    return zones;
  }

  const ProcFs& fs_;
  const bool zone_label_;
  std::map<std::string, MetricDesc> descs_;  // per-zone descriptions, kept: the sink keys families by them
};

}  // namespace

RaplZoneName RaplZoneNameAndIndex(std::string_view name_file, std::map<std::string, int>* name_counts) {
  std::string name(TrimSpace(name_file));
  RaplZoneName z;
  const std::size_t dash = name.find('-');
  std::optional<int> index;
  if (dash != std::string::npos && name.find('-', dash + 1) == std::string::npos) {
    index = GoAtoi(std::string_view(name).substr(dash + 1));
  }
  if (index) {
    z = {name.substr(0, dash), *index};
  } else {
    z = {name, (*name_counts)[name]};
  }
  (*name_counts)[z.name] = z.index + 1;
  return z;
}


constexpr BoolOption kEnableZoneLabel{"rapl", "enable-zone-label", false,
                                      "Exports one node_rapl_joules_total with the zone in a rapl_zone label instead "
                                      "of a node_rapl_<zone>_joules_total per zone."};

CollectorSpec RaplCollectorSpec() {
  return {"rapl",
          true,
          "Exposes RAPL energy counters (/sys/class/powercap): node_rapl_<zone>_joules_total{index,path}; "
          "energy_uj is readable by root only (Linux 5.10+), else the collector reports no data.",
          {kEnableZoneLabel.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<RaplCollector>(ctx.fs, ctx.options.Get(kEnableZoneLabel)));
          }};
}

}  // namespace hostwatch
