// netclass collector: node_network_up, node_network_info and the
// node_network_* device properties from /sys/class/net/<iface>/ (sysfs-net
// ABI), as node_exporter's netclass collector exports them, with
// --collector.netclass.ignored-devices and --collector.netclass.ignore-invalid-speed.
// With --collector.netclass.netlink the series come from rtnetlink instead
// (netclass_netlink.h), as node_exporter's netlink path exports them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The attributes of one interface that node_exporter exports. A numeric
// attribute that is missing or unreadable (e.g. speed of a down link gives
// EINVAL) is nullopt and its series is left out.
struct NetClassIface {
  std::string name;
  std::string address, broadcast, duplex, operstate, ifalias;
  std::optional<std::int64_t> addr_assign_type, carrier, carrier_changes, carrier_up_count, carrier_down_count;
  std::optional<std::int64_t> dev_id, dormant, flags, ifindex, iflink, link_mode, mtu, name_assign_type;
  std::optional<std::int64_t> netdev_group, speed, tx_queue_len, type;
};

// Builds an interface from its attribute files (file name -> content with
// the trailing newline removed). Numbers parse like Go's ParseInt(s, 0, 64):
// "0x1303" is hex, a leading 0 is octal; an unparsable number is left unset.
NetClassIface ParseNetClassAttributes(std::string name, const std::map<std::string, std::string>& attrs);

// The attribute file names ParseNetClassAttributes looks at, sorted.
const std::vector<std::string>& NetClassAttributeFiles();

// NetClassAttributeFiles split in two. The fixed ones cannot change while
// the interface exists in this network namespace, so the collector reads
// them once per interface instance: it keeps them per interface name with
// the identity (device, inode) of the interface's sysfs directory, reuses
// them while a scrape finds the same directory under that name, and drops
// them when a scrape no longer lists the name. A sysfs inode number is not
// reused within a boot on 64-bit kernels, so an interface deleted and
// created again under the same name between two scrapes is read afresh.
// The changing ones are read on every scrape (sysfs gives no mtime or other
// sign of a changed value, so nothing else can be cached).
const std::vector<std::string>& NetClassFixedAttributeFiles();
// The fixed attributes are read again after this many scrapes served from
// the cache, which bounds how long a value can stay stale in the one case
// the identity check misses (see netclass.cpp).
constexpr int kNetClassFixedRefreshScrapes = 100;
const std::vector<std::string>& NetClassChangingAttributeFiles();

// node_network_up, shared by the sysfs and netlink paths.
const MetricDesc& NetClassUpDesc();
// node_network_<name>{device} with node_exporter's "Network device property: <name>" HELP.
MetricDesc NetClassPropertyDesc(std::string_view name, MetricType type);

CollectorSpec NetclassCollectorSpec();

}  // namespace hostwatch
