#include "collectors/host/ethtool.h"

#include <linux/ethtool.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "collectors/core/device_filter.h"
#include "collectors/core/strings.h"
#include "collectors/host/ethtool_socket.h"

namespace hostwatch {
namespace {

const MetricDesc kInfo{"node_ethtool_info",
                       "A metric with a constant '1' value labeled by bus_info, device, driver, expansion_rom_version, "
                       "firmware_version, version.",
                       MetricType::Gauge,
                       {"bus_info", "device", "driver", "expansion_rom_version", "firmware_version", "version"}};

MetricDesc NetworkGauge(std::string name, std::string help, std::vector<std::string> labels = {"device"}) {
  return {"node_network_" + std::move(name), std::move(help), MetricType::Gauge, std::move(labels)};
}
const MetricDesc kSupportedPort =
    NetworkGauge("supported_port_info", "Type of ports or PHYs supported by network device", {"device", "type"});
const MetricDesc kSupportedSpeed =
    NetworkGauge("supported_speed_bytes", "Combination of speeds and features supported by network device",
                 {"device", "duplex", "mode"});
const MetricDesc kAdvertisedSpeed =
    NetworkGauge("advertised_speed_bytes", "Combination of speeds and features offered by network device",
                 {"device", "duplex", "mode"});
const MetricDesc kAutonegotiate = NetworkGauge("autonegotiate", "If this port is using autonegotiate");

// The autonegotiate / pause / asymmetric pause bits of one link mode mask.
struct CapabilityDescs {
  MetricDesc autonegotiate, pause, asymmetric_pause;
};
const CapabilityDescs kSupportedCaps{
    NetworkGauge("autonegotiate_supported", "If this port device supports autonegotiate"),
    NetworkGauge("pause_supported", "If this port device supports pause frames"),
    NetworkGauge("asymmetricpause_supported", "If this port device supports asymmetric pause frames")};
const CapabilityDescs kAdvertisedCaps{
    NetworkGauge("autonegotiate_advertised", "If this port device offers autonegotiate"),
    NetworkGauge("pause_advertised", "If this port device offers pause capability"),
    NetworkGauge("asymmetricpause_advertised", "If this port device offers asymmetric pause capability")};

// node_exporter's fixed descriptions for seven common statistics (the
// statistics are exported untyped whatever the name says).
MetricDesc StatPreset(std::string name, std::string help) {
  return {"node_ethtool_" + std::move(name), std::move(help), MetricType::Untyped, {"device"}};
}
const std::map<std::string, MetricDesc, std::less<>> kStatPresets = {
    {"rx_bytes", StatPreset("received_bytes_total", "Network interface bytes received")},
    {"rx_dropped", StatPreset("received_dropped_total", "Number of received frames dropped")},
    {"rx_errors", StatPreset("received_errors_total", "Number of received frames with errors")},
    {"rx_packets", StatPreset("received_packets_total", "Network interface packets received")},
    {"tx_bytes", StatPreset("transmitted_bytes_total", "Network interface bytes sent")},
    {"tx_errors", StatPreset("transmitted_errors_total", "Number of sent frames with errors")},
    {"tx_packets", StatPreset("transmitted_packets_total", "Network interface packets sent")},
};

// Port types by link mode bit, as node_exporter labels them.
struct PortType {
  int bit;
  const char* type;
};
constexpr PortType kPortTypes[] = {
    {ETHTOOL_LINK_MODE_TP_BIT, "TP"},   {ETHTOOL_LINK_MODE_AUI_BIT, "AUI"},
    {ETHTOOL_LINK_MODE_MII_BIT, "MII"}, {ETHTOOL_LINK_MODE_FIBRE_BIT, "FIBRE"},
    {ETHTOOL_LINK_MODE_BNC_BIT, "BNC"}, {ETHTOOL_LINK_MODE_Backplane_BIT, "Backplane"},
};

// Speed modes by link mode bit: Mb/s, duplex and the PHY part of the mode
// label ("1000base" + "T"). node_exporter's table goes on to bit 91, but it
// tests them against the 32-bit masks of ETHTOOL_GSET, where bits from 32 on
// can never be set, so only the modes below 32 can appear.
struct SpeedMode {
  int bit;
  int mbps;
  const char* duplex;
  const char* phy;
};
constexpr SpeedMode kSpeedModes[] = {
    {ETHTOOL_LINK_MODE_10baseT_Half_BIT, 10, "half", "T"},
    {ETHTOOL_LINK_MODE_10baseT_Full_BIT, 10, "full", "T"},
    {ETHTOOL_LINK_MODE_100baseT_Half_BIT, 100, "half", "T"},
    {ETHTOOL_LINK_MODE_100baseT_Full_BIT, 100, "full", "T"},
    {ETHTOOL_LINK_MODE_1000baseT_Half_BIT, 1000, "half", "T"},
    {ETHTOOL_LINK_MODE_1000baseT_Full_BIT, 1000, "full", "T"},
    {ETHTOOL_LINK_MODE_10000baseT_Full_BIT, 10000, "full", "T"},
    {ETHTOOL_LINK_MODE_1000baseKX_Full_BIT, 1000, "full", "KX"},
    {ETHTOOL_LINK_MODE_10000baseKX4_Full_BIT, 10000, "full", "KX4"},
    {ETHTOOL_LINK_MODE_10000baseKR_Full_BIT, 10000, "full", "KR"},
    {ETHTOOL_LINK_MODE_10000baseR_FEC_BIT, 10000, "full", "R_FEC"},
    {ETHTOOL_LINK_MODE_20000baseMLD2_Full_BIT, 20000, "full", "MLD2"},
    {ETHTOOL_LINK_MODE_20000baseKR2_Full_BIT, 20000, "full", "KR2"},
    {ETHTOOL_LINK_MODE_40000baseKR4_Full_BIT, 40000, "full", "KR4"},
    {ETHTOOL_LINK_MODE_40000baseCR4_Full_BIT, 40000, "full", "CR4"},
    {ETHTOOL_LINK_MODE_40000baseSR4_Full_BIT, 40000, "full", "SR4"},
    {ETHTOOL_LINK_MODE_40000baseLR4_Full_BIT, 40000, "full", "LR4"},
    {ETHTOOL_LINK_MODE_56000baseKR4_Full_BIT, 56000, "full", "KR4"},
    {ETHTOOL_LINK_MODE_56000baseCR4_Full_BIT, 56000, "full", "CR4"},
    {ETHTOOL_LINK_MODE_56000baseSR4_Full_BIT, 56000, "full", "SR4"},
    {ETHTOOL_LINK_MODE_56000baseLR4_Full_BIT, 56000, "full", "LR4"},
    {ETHTOOL_LINK_MODE_25000baseCR_Full_BIT, 25000, "full", "CR"},
};

bool HasBit(std::uint32_t mask, int bit) { return bit < 32 && (mask & (std::uint32_t{1} << bit)) != 0; }

void AddSpeeds(MetricSink& sink, const MetricDesc& desc, const std::string& device, std::uint32_t modes) {
  // Bytes per second, to match node_network_speed_bytes (node_exporter).
  constexpr double kBytesPerMbps = 1000000.0 / 8.0;
  for (const SpeedMode& m : kSpeedModes) {
    if (HasBit(modes, m.bit)) {
      sink.Add(desc, m.mbps * kBytesPerMbps, {device, m.duplex, std::to_string(m.mbps) + "base" + m.phy});
    }
  }
}

void AddCapabilities(MetricSink& sink, const CapabilityDescs& descs, const std::string& device, std::uint32_t modes) {
  sink.Add(descs.autonegotiate, HasBit(modes, ETHTOOL_LINK_MODE_Autoneg_BIT) ? 1 : 0, {device});
  sink.Add(descs.pause, HasBit(modes, ETHTOOL_LINK_MODE_Pause_BIT) ? 1 : 0, {device});
  sink.Add(descs.asymmetric_pause, HasBit(modes, ETHTOOL_LINK_MODE_Asym_Pause_BIT) ? 1 : 0, {device});
}

// In node_exporter's order: supported speeds, ports and capabilities, then
// advertised speeds and capabilities, then whether autonegotiation is on.
void AddLinkInfo(MetricSink& sink, const std::string& device, const EthtoolLinkInfo& link) {
  AddSpeeds(sink, kSupportedSpeed, device, link.supported);
  for (const PortType& p : kPortTypes) {
    if (HasBit(link.supported, p.bit)) {
      sink.Add(kSupportedPort, 1, {device, p.type});
    }
  }
  AddCapabilities(sink, kSupportedCaps, device, link.supported);
  AddSpeeds(sink, kAdvertisedSpeed, device, link.advertising);
  AddCapabilities(sink, kAdvertisedCaps, device, link.advertising);
  sink.Add(kAutonegotiate, link.autoneg, {device});
}

// True when a failed request is worth a warning: not for a driver that does
// not implement it, nor for a device gone since /sys/class/net was listed.
bool WorthWarning(const Status& status) { return status.sys_errno() != EOPNOTSUPP && status.sys_errno() != ENODEV; }

void WarnFailure(MetricSink& sink, std::string_view what, const std::string& device, const Status& status) {
  if (WorthWarning(status)) {
    sink.Warn("ethtool " + std::string(what) + " error device=" + device + " err=\"" + status.message() + "\"");
  }
}

// The devices in <--path.sysfs>/class/net, asked through one EthtoolSocket.
class EthtoolCollector : public Collector {
 public:
  EthtoolCollector(const ProcFs& fs, DeviceFilter devices, EthtoolSocket socket,
                   std::shared_ptr<const re2::RE2> metrics_include)
      : fs_(fs), devices_(std::move(devices)), socket_(std::move(socket)), families_(std::move(metrics_include)) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/net"));
    if (!class_dir.ok()) {
      return NoDataWhenUnreadable(class_dir.status());
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return NoDataWhenUnreadable(names.status());
    }
    families_.BeginScrape();
    std::uint64_t parse_errors = 0;
    bool any_device = false;
    for (const std::string& name : names.value()) {
      // Regular files such as bonding_masters are not devices.
      if (!class_dir.value().OpenDir(name).ok()) {
        continue;
      }
      any_device = true;
      if (devices_.Ignored(name)) {
        continue;
      }
      families_.AddDevice(sink, name,
                          {socket_.LinkInfo(name), socket_.DriverInfo(name), socket_.Stats(name, &parse_errors)});
    }
    sink.CountParseError(parse_errors);
    if (!any_device) {
      return Status::Error("no network devices found in " + class_dir.value().path());
    }
    return Status::OK();
  }

 private:
  // node_exporter reports no data when class/net is missing or not
  // readable to it, and fails on anything else.
  static Status NoDataWhenUnreadable(const Status& status) {
    if (status.no_data() || status.sys_errno() == EACCES) {
      return Status::NoData(status.message(), status.sys_errno());
    }
    return status;
  }

  const ProcFs& fs_;
  const DeviceFilter devices_;
  EthtoolSocket socket_;
  EthtoolFamilies families_;
};

}  // namespace

EthtoolStats ParseEthtoolStats(std::string_view strings, std::string_view values, std::uint64_t* parse_errors) {
  const std::size_t names = strings.size() / kEthtoolStringLen;
  const std::size_t numbers = values.size() / sizeof(std::uint64_t);
  if (names != numbers || strings.size() % kEthtoolStringLen != 0 || values.size() % sizeof(std::uint64_t) != 0) {
    ++*parse_errors;
  }
  EthtoolStats stats;
  for (std::size_t i = 0; i < std::min(names, numbers); ++i) {
    std::string_view record = strings.substr(i * kEthtoolStringLen, kEthtoolStringLen);
    record = record.substr(0, record.find('\0'));
    if (record.empty()) {
      continue;
    }
    std::uint64_t value;
    std::memcpy(&value, values.data() + i * sizeof(value), sizeof(value));
    stats.insert_or_assign(std::string(record), value);
  }
  return stats;
}

std::string SanitizeEthtoolStatName(std::string_view stat) { return SanitizeMetricName(stat); }

std::string EthtoolMetricName(std::string_view stat) {
  static const RE2 kRx("(^|_)rx(_|$)");
  static const RE2 kTx("(^|_)tx(_|$)");
  std::string name = AsciiToLower(SanitizeEthtoolStatName(stat));
  const std::size_t first = name.find_first_not_of('_');
  name.erase(0, first == std::string::npos ? name.size() : first);
  RE2::GlobalReplace(&name, kRx, "\\1received\\2");
  RE2::GlobalReplace(&name, kTx, "\\1transmitted\\2");
  return "node_ethtool_" + name;
}

EthtoolFamilies::EthtoolFamilies(std::shared_ptr<const re2::RE2> metrics_include)
    : metrics_include_(std::move(metrics_include)) {}

void EthtoolFamilies::BeginScrape() {
  if (names_.size() > kMaxRememberedStats || stat_descs_.size() > kMaxRememberedStats) {
    names_.clear();
    stat_descs_.clear();
  }
}

void EthtoolFamilies::AddDevice(MetricSink& sink, const std::string& device, const EthtoolReadings& readings) {
  if (readings.link.ok()) {
    AddLinkInfo(sink, device, readings.link.value());
  } else {
    WarnFailure(sink, "link info", device, readings.link.status());
  }
  if (readings.driver.ok()) {
    const EthtoolDriverInfo& d = readings.driver.value();
    sink.Add(kInfo, 1, {d.bus_info, device, d.driver, d.erom_version, d.fw_version, d.version});
  } else {
    WarnFailure(sink, "driver info", device, readings.driver.status());
  }
  if (readings.stats.ok()) {
    AddStats(sink, device, readings.stats.value());
  } else {
    WarnFailure(sink, "stats", device, readings.stats.status());
  }
}

const EthtoolFamilies::StatName& EthtoolFamilies::NamesOf(const std::string& stat) {
  auto it = names_.find(stat);
  if (it == names_.end()) {
    std::string sanitized = SanitizeEthtoolStatName(stat);
    std::string metric = EthtoolMetricName(sanitized);
    it = names_.emplace(stat, StatName{std::move(sanitized), std::move(metric)}).first;
  }
  return it->second;
}

// node_exporter keys its descriptions by the sanitized statistic name: the
// first metric name seen for a key is kept, and the HELP names the key.
const MetricDesc& EthtoolFamilies::StatDesc(const StatName& name) {
  if (auto preset = kStatPresets.find(name.sanitized); preset != kStatPresets.end()) {
    return preset->second;
  }
  auto it = stat_descs_.find(name.sanitized);
  if (it == stat_descs_.end()) {
    it = stat_descs_
             .emplace(name.sanitized,
                      MetricDesc{name.metric, "Network interface " + name.sanitized, MetricType::Untyped, {"device"}})
             .first;
  }
  return it->second;
}

// Statistics whose names come out equal after sanitizing ("duplicate metric"
// and "duplicate_metric") are all left out, since no one of them is the
// right one (node_exporter does the same).
void EthtoolFamilies::AddStats(MetricSink& sink, const std::string& device, const EthtoolStats& stats) {
  std::map<std::string_view, const StatName*> by_metric;  // null: a clash
  std::map<const StatName*, std::uint64_t> values;
  for (const auto& [stat, value] : stats) {
    const StatName& name = NamesOf(stat);
    if (metrics_include_ != nullptr && !RE2::PartialMatch(name.sanitized, *metrics_include_)) {
      continue;
    }
    auto [it, fresh] = by_metric.emplace(name.metric, &name);
    if (!fresh) {
      it->second = nullptr;
      continue;
    }
    values[&name] = value;
  }
  for (const auto& [metric, name] : by_metric) {
    if (name != nullptr) {
      sink.Add(StatDesc(*name), static_cast<double>(values[name]), {device});
    }
  }
}

// node_exporter 1.12.1 calls the two device options mutually exclusive in
// their help but applies both when both are given; so does this collector.
constexpr RegexOption kDeviceInclude{"ethtool", "device-include", "",
                                     "Regexp of ethtool devices to include (mutually exclusive to device-exclude)."};
constexpr RegexOption kDeviceExclude{"ethtool", "device-exclude", "",
                                     "Regexp of ethtool devices to exclude (mutually exclusive to device-include)."};
constexpr RegexOption kMetricsInclude{"ethtool", "metrics-include", ".*", "Regexp of ethtool stats to include."};

CollectorSpec EthtoolCollectorSpec() {
  return {"ethtool",
          false,
          "Exposes network driver statistics, driver info and link modes from SIOCETHTOOL ioctls: "
          "node_ethtool_<stat>, node_ethtool_info, node_network_supported_speed_bytes, "
          "node_network_autonegotiate, ...",
          {kDeviceInclude.Spec(), kDeviceExclude.Spec(), kMetricsInclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> devices =
                DeviceFilter::Make(ctx.options.Get(kDeviceExclude), ctx.options.Get(kDeviceInclude));
            if (!devices.ok()) {
              return devices.status();
            }
            auto metrics = std::make_shared<const re2::RE2>(ctx.options.Get(kMetricsInclude), RE2::Quiet);
            if (!metrics->ok()) {
              return Status::Error("--collector.ethtool.metrics-include: " + metrics->error());
            }
            Result<EthtoolSocket> socket = EthtoolSocket::Open();
            if (!socket.ok()) {
              return socket.status();
            }
            return CollectorPtr(std::make_unique<EthtoolCollector>(ctx.fs, std::move(devices).value(),
                                                                   std::move(socket).value(), std::move(metrics)));
          }};
}

}  // namespace hostwatch
