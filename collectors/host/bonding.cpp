#include "collectors/host/bonding.h"

#include <map>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const MetricDesc kSlaves{
    "node_bonding_slaves", "Number of configured slaves per bonding interface.", MetricType::Gauge, {"master"}};
const MetricDesc kActive{
    "node_bonding_active", "Number of active slaves per bonding interface.", MetricType::Gauge, {"master"}};

struct SlaveCounts {
  int configured = 0;
  int active = 0;
};

class BondingCollector : public Collector {
 public:
  explicit BondingCollector(const ProcFs& fs) : fs_(fs) {}

  // As node_exporter: a file that cannot be read ends the whole collection,
  // a missing one (bonding module not loaded, or a master or slave removed
  // while we read) with "no data", any other failure with an error.
  Status Collect(MetricSink& sink) override {
    Result<DirHandle> net = fs_.OpenDir(fs_.SysPath("class/net"));
    if (!net.ok()) {
      return net.status();
    }
    Result<std::string> masters = net.value().ReadFile("bonding_masters");
    if (!masters.ok()) {
      return masters.status();
    }
    std::map<std::string, SlaveCounts> counts;  // a master listed twice is reported once
    for (const std::string& master : ParseBondingNames(masters.value())) {
      Result<SlaveCounts> c = CountSlaves(net.value(), master);
      if (!c.ok()) {
        return c.status();
      }
      counts[master] = c.value();
    }
    for (const auto& [master, c] : counts) {
      sink.Add(kSlaves, c.configured, {master});
      sink.Add(kActive, c.active, {master});
    }
    return Status::OK();
  }

 private:
  static Result<SlaveCounts> CountSlaves(const DirHandle& net, const std::string& master) {
    Result<std::string> slaves = net.ReadFile(master + "/bonding/slaves");
    if (!slaves.ok()) {
      return slaves.status();
    }
    SlaveCounts c;
    for (const std::string& slave : ParseBondingNames(slaves.value())) {
      // The master links each slave as lower_<slave>; older kernels called
      // the link slave_<slave>.
      Result<std::string> mii = net.ReadFile(master + "/lower_" + slave + "/bonding_slave/mii_status");
      if (!mii.ok() && mii.status().IsNotFound()) {
        mii = net.ReadFile(master + "/slave_" + slave + "/bonding_slave/mii_status");
      }
      if (!mii.ok()) {
        return mii.status();
      }
      ++c.configured;
      c.active += ParseBondingSlaveUp(mii.value()) ? 1 : 0;
    }
    return c;
  }

  const ProcFs& fs_;
};

}  // namespace

std::vector<std::string> ParseBondingNames(std::string_view text) {
  std::vector<std::string> names;
  for (std::string_view line : SplitLines(text)) {
    for (std::string_view field : SplitFields(line)) {
      names.emplace_back(TrimSpace(field));  // \r, \v, \f are whitespace to Go's Fields too
    }
  }
  std::erase(names, std::string());
  return names;
}

bool ParseBondingSlaveUp(std::string_view mii_status) { return TrimSpace(mii_status) == "up"; }

CollectorSpec BondingCollectorSpec() {
  return {"bonding",
          true,
          "Exposes the number of configured and active slaves of Linux bonding interfaces "
          "(/sys/class/net/<master>/bonding): node_bonding_slaves, node_bonding_active.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<BondingCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
