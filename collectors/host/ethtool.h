// ethtool collector (off by default, as in node_exporter): per network
// device, the driver's own statistics (`ethtool -S`) as node_ethtool_<stat>,
// node_ethtool_info from the driver information (`ethtool -i`) and the link
// modes (`ethtool <dev>`) as node_network_{supported,advertised}_speed_bytes,
// node_network_supported_port_info, node_network_autonegotiate and the
// autonegotiate/pause/asymmetricpause capability gauges, exactly as
// node_exporter 1.12.1 names them. The kernel is asked with SIOCETHTOOL
// ioctls (ethtool_socket.h); devices come from <--path.sysfs>/class/net.
//
// Everything declared here is pure (no I/O), so the unit tests and the fuzz
// target run it on fixtures and arbitrary bytes.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collectors/core/collector.h"

namespace hostwatch {

// ETHTOOL_GDRVINFO's strings (struct ethtool_drvinfo), without padding.
struct EthtoolDriverInfo {
  std::string driver, version, fw_version, bus_info, erom_version;
};

// ETHTOOL_GSET's link modes (struct ethtool_cmd): bit i of supported and
// advertising is the kernel's ETHTOOL_LINK_MODE_*_BIT i; only bits 0..31 fit,
// as in the Go library node_exporter uses.
struct EthtoolLinkInfo {
  std::uint32_t supported = 0;
  std::uint32_t advertising = 0;
  std::uint8_t autoneg = 0;  // AUTONEG_ENABLE (1) or AUTONEG_DISABLE (0)
};

// A device's driver statistics by the names the driver gives them. A name
// the driver lists twice keeps its last value (node_exporter's library
// builds a map the same way).
using EthtoolStats = std::map<std::string, std::uint64_t>;

// Bytes per name in an ETHTOOL_GSTRINGS answer (ETH_GSTRING_LEN).
inline constexpr std::size_t kEthtoolStringLen = 32;

// Pairs the names of an ETHTOOL_GSTRINGS answer (records of
// kEthtoolStringLen bytes, each ending at its first NUL or at the record's
// end) with the values of an ETHTOOL_GSTATS answer (native-endian u64s), by
// position. Empty names are left out, as node_exporter's library leaves them
// out. When the two sizes do not describe the same number of whole records,
// only the records both have are used and one parse error is counted.
EthtoolStats ParseEthtoolStats(std::string_view strings, std::string_view values, std::uint64_t* parse_errors);

// node_exporter's SanitizeMetricName: every run of characters outside
// [0-9A-Za-z_], together with the underscores around it, becomes one "_"
// ("port.rx_dropped" -> "port_rx_dropped", "Queue[0] AllocFails" ->
// "Queue_0_AllocFails").
std::string SanitizeEthtoolStatName(std::string_view stat);

// node_exporter's buildEthtoolFQName: the sanitized name in lower case
// without leading underscores, "rx"/"tx" words spelled "received" and
// "transmitted", prefixed with "node_ethtool_"
// ("[3]: tx_bytes" -> "node_ethtool_3_transmitted_bytes").
std::string EthtoolMetricName(std::string_view stat);

// What the three ethtool requests gave for one device; an error keeps the
// errno of the failed ioctl (Status::sys_errno).
struct EthtoolReadings {
  Result<EthtoolLinkInfo> link;
  Result<EthtoolDriverInfo> driver;
  Result<EthtoolStats> stats;
};

// Turns one device's readings into node_exporter's families. It keeps the
// descriptions of the statistic families it has made (node_exporter's
// `entries`), so their addresses stay valid for every sink it has added to
// and each statistic's names are worked out once. Not thread-safe: one
// collector uses it on one thread at a time.
class EthtoolFamilies {
 public:
  // metrics_include: --collector.ethtool.metrics-include, matched (unanchored)
  // against each statistic's sanitized name; null: every statistic.
  explicit EthtoolFamilies(std::shared_ptr<const re2::RE2> metrics_include);

  // Call before a scrape's first AddDevice: drops what it remembers once
  // more than kMaxRememberedStats statistic names were seen (a driver whose
  // names change all the time), so memory stays bounded. Never mid-scrape:
  // the scrape's sink points at the descriptions.
  void BeginScrape();

  // Adds the device's link modes, driver info and statistics to sink. A
  // failed request that says the device does not support it (EOPNOTSUPP) or
  // is gone (ENODEV, it went away since the listing) adds nothing; any other
  // failure also goes to sink.Warn (node_exporter logs those at error level),
  // and the device's other readings are still added.
  void AddDevice(MetricSink& sink, const std::string& device, const EthtoolReadings& readings);

 private:
  struct StatName {
    std::string sanitized;  // the key node_exporter matches metrics-include against
    std::string metric;     // EthtoolMetricName
  };
  const StatName& NamesOf(const std::string& stat);
  const MetricDesc& StatDesc(const StatName& name);
  void AddStats(MetricSink& sink, const std::string& device, const EthtoolStats& stats);

  std::shared_ptr<const re2::RE2> metrics_include_;
  // Driver statistic name -> its names (see BeginScrape).
  std::unordered_map<std::string, StatName> names_;
  // Sanitized name -> family description. A std::map: the sink keeps
  // pointers to the descriptions, so they must not move.
  std::map<std::string, MetricDesc, std::less<>> stat_descs_;
};

// See EthtoolFamilies::BeginScrape.
inline constexpr std::size_t kMaxRememberedStats = 65536;

CollectorSpec EthtoolCollectorSpec();

}  // namespace hostwatch
