// netclass over netlink (--collector.netclass.netlink), as node_exporter
// 1.12.1's netclass_rtnl_linux.go: one RTM_GETLINK dump gives most of the
// node_network_* series, one ethtool generic-netlink dump
// (ETHTOOL_MSG_LINKMODES_GET) gives speed and duplex, and the three
// attributes netlink lacks (addr_assign_type, dev_id, name_assign_type) are
// read from sysfs. Its output differs from the sysfs path on purpose, where
// upstream's does (docs/collectors/netclass.md lists each difference):
// node_network_info has no adminstate label and another HELP, flags are the
// kernel's ifi_flags (with IFF_RUNNING/IFF_LOWER_UP), dormant repeats
// link_mode, carrier/speed/duplex are present for down links, and
// node_network_altnames_info is added.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/device_filter.h"
#include "collectors/core/metric_sink.h"
#include "collectors/core/proc_fs.h"
#include "collectors/core/status.h"

namespace hostwatch {

// One RTM_NEWLINK message: the ifinfomsg header and the IFLA_* attributes
// node_exporter reads. An optional field is unset when its attribute is absent.
struct RtnlLink {
  std::uint16_t type = 0;   // ifi_type (ARPHRD_*)
  std::uint32_t index = 0;  // ifi_index
  std::uint32_t flags = 0;  // ifi_flags
  std::string name;         // IFLA_IFNAME
  std::string address, broadcast;  // IFLA_ADDRESS / IFLA_BROADCAST as Go's net.HardwareAddr prints them
  std::string ifalias;             // IFLA_IFALIAS, "" when unset
  std::vector<std::string> altnames;  // IFLA_ALT_IFNAME inside IFLA_PROP_LIST
  std::uint8_t operstate = 0;         // IFLA_OPERSTATE (IF_OPER_*)
  std::uint32_t mtu = 0;              // IFLA_MTU
  std::uint32_t link = 0;             // IFLA_LINK; the kernel leaves it out when it equals index
  std::optional<std::uint32_t> carrier, carrier_changes, carrier_up_count, carrier_down_count;
  std::optional<std::uint32_t> link_mode, group, tx_queue_len;
  // IFLA_STATS64 in rtnl_link_stats64 order, rx_packets .. rx_nohandler
  // (24 counters; a kernel older than 4.6 sends 23 and rx_nohandler is 0).
  std::optional<std::array<std::uint64_t, 24>> stats64;
};

// Parses an RTM_GETLINK dump (NetlinkDump bytes). An NLMSG_ERROR in the dump
// or a message running past the data is an Error. A message too short for
// its ifinfomsg, without IFLA_IFNAME, or whose attributes are truncated is
// skipped and counted in *parse_errors; so is an IFLA_STATS64 of a size no
// kernel sends (that link is kept without stats).
Result<std::vector<RtnlLink>> ParseRtnlLinks(std::string_view bytes, std::uint64_t* parse_errors);

// One ETHTOOL_MSG_LINKMODES_GET reply. Speed is ETHTOOL_A_LINKMODES_SPEED
// as node_exporter's ethtool library keeps it (SPEED_UNKNOWN is 4294967295,
// not -1), duplex ETHTOOL_A_LINKMODES_DUPLEX; both 0 when absent, as there.
struct EthtoolLinkMode {
  std::string name;  // ETHTOOL_A_HEADER_DEV_NAME
  std::uint32_t speed_mbps = 0;
  std::uint8_t duplex = 0;
};

// Parses a dump of ETHTOOL_MSG_LINKMODES_GET replies. An NLMSG_ERROR in the
// dump or a message running past the data is an Error; a reply too short for
// its genlmsghdr, without a device name, or with truncated attributes is
// skipped and counted in *parse_errors.
Result<std::vector<EthtoolLinkMode>> ParseEthtoolLinkModes(std::string_view bytes, std::uint64_t* parse_errors);

// A duplex value as node_exporter prints it (Go stringer of ethtool.Duplex):
// "Half", "Full", "Unknown", else "Duplex(<n>)".
std::string EthtoolDuplexName(std::uint8_t duplex);

// Link-layer address bytes as Go's net.HardwareAddr.String(): lower-case hex
// pairs joined by ':', "" for no bytes.
std::string HardwareAddrString(std::string_view bytes);

// What one netlink scrape needs besides the kernel.
struct NetclassNetlinkOptions {
  const ProcFs& fs;                // sysfs root for the three attributes netlink lacks
  const DeviceFilter& ignored;     // --collector.netclass.ignored-devices
  bool with_stats = false;         // --collector.netclass_rtnl.with-stats
};

// One scrape of the netlink path: dumps links and link modes, reads the
// sysfs attributes, adds the series. Error when the RTM_GETLINK dump fails;
// a kernel without the ethtool family loses only speed and duplex.
Status CollectNetclassNetlink(const NetclassNetlinkOptions& options, MetricSink& sink);

// Adds the series of already-parsed links and link modes (the part
// CollectNetclassNetlink does after reading; the unit tests call it on
// captured dumps). sysfs_attributes[i] belongs to links[i]: file name ->
// content for addr_assign_type, dev_id and name_assign_type.
void AddNetclassNetlinkSeries(const std::vector<RtnlLink>& links, const std::vector<EthtoolLinkMode>& modes,
                              const std::vector<std::map<std::string, std::string>>& sysfs_attributes,
                              const NetclassNetlinkOptions& options, MetricSink& sink);

// The sysfs files read per link on the netlink path.
const std::vector<std::string>& NetclassNetlinkSysfsFiles();

}  // namespace hostwatch
