#include "collectors/host/netclass_netlink.h"

#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "collectors/core/netlink_dump.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"
#include "collectors/host/netclass.h"

namespace hostwatch {
namespace {

// node_exporter's netlink path names its info family differently from the
// sysfs path and has no adminstate label (netclass_rtnl_linux.go).
const MetricDesc kInfo{"node_network_info",
                       "Non-numeric data of <iface>, value is always 1.",
                       MetricType::Gauge,
                       {"device", "address", "broadcast", "duplex", "operstate", "ifalias"}};
const MetricDesc kAltnames{"node_network_altnames_info",
                           "Non-numeric data of <iface> altname, value is always 1.",
                           MetricType::Gauge,
                           {"altname", "device"}};

// IF_OPER_* as node_exporter prints them; a value past the table is "unknown".
constexpr std::array<std::string_view, 7> kOperstates = {"unknown", "notpresent", "down",   "lowerlayerdown",
                                                         "testing", "dormant",    "up"};

// IFLA_STATS64's counters in rtnl_link_stats64 order; node_exporter exports
// them as gauges with the property HELP (--collector.netclass_rtnl.with-stats).
constexpr std::array<std::string_view, 24> kStatNames = {
    "receive_packets_total",           "transmit_packets_total",        "receive_bytes_total",
    "transmit_bytes_total",            "receive_errors_total",          "transmit_errors_total",
    "receive_dropped_total",           "transmit_dropped_total",        "multicast_total",
    "collisions_total",                "receive_length_errors_total",   "receive_over_errors_total",
    "receive_crc_errors_total",        "receive_frame_errors_total",    "receive_fifo_errors_total",
    "receive_missed_errors_total",     "transmit_aborted_errors_total", "transmit_carrier_errors_total",
    "transmit_fifo_errors_total",      "transmit_heartbeat_errors_total", "transmit_window_errors_total",
    "receive_compressed_total",        "transmit_compressed_total",     "receive_nohandler_total",
};
// rtnl_link_stats64 up to tx_compressed: the oldest layout a kernel sends.
constexpr std::size_t kMinStats64Bytes = 23 * sizeof(std::uint64_t);

std::uint8_t U8(std::string_view v) { return v.empty() ? 0 : static_cast<std::uint8_t>(v[0]); }

std::vector<std::string> AltNames(std::string_view prop_list, bool* truncated) {
  std::vector<std::string> out;
  for (const NetlinkAttribute& a : SplitNetlinkAttributes(prop_list, truncated)) {
    if (a.type == IFLA_ALT_IFNAME) {
      out.push_back(NetlinkString(a.value));
    }
  }
  return out;
}

// Fills link from one attribute; false when the attribute is malformed.
bool ApplyLinkAttribute(const NetlinkAttribute& a, RtnlLink& link) {
  std::optional<std::uint32_t>* u32 = nullptr;
  switch (a.type) {
    case IFLA_IFNAME: link.name = NetlinkString(a.value); return true;
    case IFLA_ADDRESS: link.address = HardwareAddrString(a.value); return true;
    case IFLA_BROADCAST: link.broadcast = HardwareAddrString(a.value); return true;
    case IFLA_IFALIAS: link.ifalias = NetlinkString(a.value); return true;
    case IFLA_OPERSTATE: link.operstate = U8(a.value); return true;
    case IFLA_MTU: link.mtu = NetlinkU32(a.value); return true;
    case IFLA_LINK: link.link = NetlinkU32(a.value); return true;
    case IFLA_CARRIER: link.carrier = U8(a.value); return true;
    case IFLA_LINKMODE: link.link_mode = U8(a.value); return true;
    case IFLA_CARRIER_CHANGES: u32 = &link.carrier_changes; break;
    case IFLA_CARRIER_UP_COUNT: u32 = &link.carrier_up_count; break;
    case IFLA_CARRIER_DOWN_COUNT: u32 = &link.carrier_down_count; break;
    case IFLA_GROUP: u32 = &link.group; break;
    case IFLA_TXQLEN: u32 = &link.tx_queue_len; break;
    case IFLA_PROP_LIST: {
      bool truncated = false;
      link.altnames = AltNames(a.value, &truncated);
      return !truncated;
    }
    case IFLA_STATS64: {
      if (a.value.size() < kMinStats64Bytes) {
        return false;
      }
      std::array<std::uint64_t, 24> s{};
      std::memcpy(s.data(), a.value.data(), std::min(a.value.size(), sizeof(s)));
      link.stats64 = s;
      return true;
    }
    default: return true;
  }
  *u32 = NetlinkU32(a.value);
  return true;
}

// Whole dump -> its messages of `type`; an NLMSG_ERROR or overrun is an Error.
Result<std::vector<NetlinkMessage>> MessagesOfType(std::string_view bytes, std::uint16_t type) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(bytes);
  if (!messages.ok()) {
    return messages.status();
  }
  std::erase_if(messages.value(), [type](const NetlinkMessage& m) { return m.type != type; });
  return messages;
}

// The ethtool family's link modes of every device that has them (drivers
// without link settings are left out by the kernel). Empty when the kernel
// has no ethtool netlink family: node_exporter then scrapes without speed and duplex.
Result<std::vector<EthtoolLinkMode>> DumpLinkModes(std::uint64_t* parse_errors) {
  Result<std::uint16_t> family = GenericNetlinkFamilyId(ETHTOOL_GENL_NAME);
  if (!family.ok()) {
    if (family.status().IsNotFound()) {
      return std::vector<EthtoolLinkMode>{};
    }
    return family.status();
  }
  struct {
    nlmsghdr header;
    genlmsghdr genl;
    nlattr link_header;  // ETHTOOL_A_LINKMODES_HEADER, nested:
    nlattr flags_attr;   //   ETHTOOL_A_HEADER_FLAGS
    std::uint32_t flags;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = family.value();
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = 1;
  request.genl.cmd = ETHTOOL_MSG_LINKMODES_GET;
  request.genl.version = ETHTOOL_GENL_VERSION;
  request.link_header.nla_len = 2 * NLA_HDRLEN + sizeof(std::uint32_t);
  request.link_header.nla_type = ETHTOOL_A_LINKMODES_HEADER | NLA_F_NESTED;
  request.flags_attr.nla_len = NLA_HDRLEN + sizeof(std::uint32_t);
  request.flags_attr.nla_type = ETHTOOL_A_HEADER_FLAGS;
  // Compact bitsets, as node_exporter's library asks: the mode lists are not read.
  request.flags = ETHTOOL_FLAG_COMPACT_BITSETS;
  Result<std::string> dump =
      NetlinkDump(NETLINK_GENERIC, std::string_view(reinterpret_cast<const char*>(&request), sizeof(request)));
  if (!dump.ok()) {
    return dump.status();
  }
  return ParseEthtoolLinkModes(dump.value(), parse_errors);
}

// addr_assign_type, dev_id and name_assign_type of each link, from
// <sysfs>/class/net/<name>/; a file that is missing or fails to read is
// left out, as node_exporter leaves it out.
std::vector<std::map<std::string, std::string>> ReadSysfsAttributes(const ProcFs& fs,
                                                                    const std::vector<RtnlLink>& links) {
  std::vector<std::map<std::string, std::string>> out(links.size());
  Result<DirHandle> class_dir = fs.OpenDir(fs.SysPath("class/net"));
  if (!class_dir.ok()) {
    return out;
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    Result<DirHandle> dir = class_dir.value().OpenDir(links[i].name);
    if (!dir.ok()) {
      continue;
    }
    for (const std::string& file : NetclassNetlinkSysfsFiles()) {
      if (Result<std::string> v = dir.value().ReadAttribute(file); v.ok()) {
        out[i].emplace(file, std::move(v).value());
      }
    }
  }
  return out;
}

void AddOptional(MetricSink& sink, const MetricDesc& desc, const std::optional<std::int64_t>& v,
                 const std::string& device) {
  if (v) {
    sink.Add(desc, static_cast<double>(*v), {device});
  }
}

void AddOptional(MetricSink& sink, const MetricDesc& desc, const std::optional<std::uint32_t>& v,
                 const std::string& device) {
  if (v) {
    sink.Add(desc, static_cast<double>(*v), {device});
  }
}

MetricDesc Gauge(std::string_view name) { return NetClassPropertyDesc(name, MetricType::Gauge); }
MetricDesc Counter(std::string_view name) { return NetClassPropertyDesc(name, MetricType::Counter); }

void AddLinkSeries(const RtnlLink& l, const std::string& duplex, const NetClassIface& sysfs, bool with_stats,
                   MetricSink& sink) {
  static const MetricDesc kAddrAssign = Gauge("address_assign_type"), kCarrier = Gauge("carrier"),
                          kChanges = Counter("carrier_changes_total"), kUps = Counter("carrier_up_changes_total"),
                          kDowns = Counter("carrier_down_changes_total"), kDevId = Gauge("device_id"),
                          kFlags = Gauge("flags"), kIfaceId = Gauge("iface_id"), kLinkMode = Gauge("iface_link_mode"),
                          kDormant = Gauge("dormant"), kIfaceLink = Gauge("iface_link"), kMtu = Gauge("mtu_bytes"),
                          kNameAssign = Gauge("name_assign_type"), kGroup = Gauge("net_dev_group"),
                          kTxQueue = Gauge("transmit_queue_length"), kType = Gauge("protocol_type");
  const std::string& dev = l.name;
  sink.Add(NetClassUpDesc(), l.operstate == IF_OPER_UP ? 1 : 0, {dev});
  const std::string_view operstate = l.operstate < kOperstates.size() ? kOperstates[l.operstate] : "unknown";
  sink.Add(kInfo, 1, {dev, l.address, l.broadcast, duplex, operstate, l.ifalias});
  for (const std::string& altname : l.altnames) {
    if (!altname.empty()) {
      sink.Add(kAltnames, 1, {ToValidUtf8(altname), dev});
    }
  }
  AddOptional(sink, kAddrAssign, sysfs.addr_assign_type, dev);
  AddOptional(sink, kCarrier, l.carrier, dev);
  AddOptional(sink, kChanges, l.carrier_changes, dev);
  AddOptional(sink, kUps, l.carrier_up_count, dev);
  AddOptional(sink, kDowns, l.carrier_down_count, dev);
  AddOptional(sink, kDevId, sysfs.dev_id, dev);
  sink.Add(kFlags, l.flags, {dev});
  sink.Add(kIfaceId, l.index, {dev});
  AddOptional(sink, kLinkMode, l.link_mode, dev);
  // node_exporter 1.12.1 exports IFLA_LINKMODE as dormant too (not IFF_DORMANT).
  AddOptional(sink, kDormant, l.link_mode, dev);
  // The kernel leaves IFLA_LINK out when a link is its own lower device.
  sink.Add(kIfaceLink, l.link > 0 ? l.link : l.index, {dev});
  sink.Add(kMtu, l.mtu, {dev});
  AddOptional(sink, kNameAssign, sysfs.name_assign_type, dev);
  AddOptional(sink, kGroup, l.group, dev);
  AddOptional(sink, kTxQueue, l.tx_queue_len, dev);
  sink.Add(kType, l.type, {dev});
  if (with_stats && l.stats64) {
    static const std::vector<MetricDesc> kStats = [] {
      std::vector<MetricDesc> d;
      for (std::string_view name : kStatNames) {
        d.push_back(Gauge(name));
      }
      return d;
    }();
    for (std::size_t i = 0; i < kStats.size(); ++i) {
      sink.Add(kStats[i], static_cast<double>((*l.stats64)[i]), {dev});
    }
  }
}

}  // namespace

std::string HardwareAddrString(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) {
      out += ':';
    }
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

std::string EthtoolDuplexName(std::uint8_t duplex) {
  switch (duplex) {
    case DUPLEX_HALF: return "Half";
    case DUPLEX_FULL: return "Full";
    case DUPLEX_UNKNOWN: return "Unknown";
    default: return "Duplex(" + std::to_string(duplex) + ")";
  }
}

Result<std::vector<RtnlLink>> ParseRtnlLinks(std::string_view bytes, std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = MessagesOfType(bytes, RTM_NEWLINK);
  if (!messages.ok()) {
    return messages.status();
  }
  std::vector<RtnlLink> out;
  for (const NetlinkMessage& m : messages.value()) {
    if (m.payload.size() < sizeof(ifinfomsg)) {
      ++*parse_errors;
      continue;
    }
    ifinfomsg info;
    std::memcpy(&info, m.payload.data(), sizeof(info));
    RtnlLink link;
    link.type = info.ifi_type;
    link.index = static_cast<std::uint32_t>(info.ifi_index);
    link.flags = info.ifi_flags;
    bool truncated = false;
    bool malformed = false;
    for (const NetlinkAttribute& a :
         SplitNetlinkAttributes(m.payload.substr(NLMSG_ALIGN(sizeof(ifinfomsg))), &truncated)) {
      malformed = !ApplyLinkAttribute(a, link) || malformed;
    }
    if (link.name.empty() || truncated) {
      ++*parse_errors;
      continue;
    }
    if (malformed) {
      ++*parse_errors;  // kept: only the bad attribute (stats, altnames) is lost
    }
    out.push_back(std::move(link));
  }
  return out;
}

Result<std::vector<EthtoolLinkMode>> ParseEthtoolLinkModes(std::string_view bytes, std::uint64_t* parse_errors) {
  std::vector<EthtoolLinkMode> out;
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(bytes);
  if (!messages.ok()) {
    return messages.status();
  }
  for (const NetlinkMessage& m : messages.value()) {
    if (m.payload.size() < GENL_HDRLEN) {
      ++*parse_errors;
      continue;
    }
    EthtoolLinkMode mode;
    bool truncated = false;
    for (const NetlinkAttribute& a : SplitNetlinkAttributes(m.payload.substr(GENL_HDRLEN), &truncated)) {
      if (a.type == ETHTOOL_A_LINKMODES_HEADER) {
        for (const NetlinkAttribute& h : SplitNetlinkAttributes(a.value, &truncated)) {
          if (h.type == ETHTOOL_A_HEADER_DEV_NAME) {
            mode.name = NetlinkString(h.value);
          }
        }
      } else if (a.type == ETHTOOL_A_LINKMODES_SPEED) {
        mode.speed_mbps = NetlinkU32(a.value);
      } else if (a.type == ETHTOOL_A_LINKMODES_DUPLEX) {
        mode.duplex = U8(a.value);
      }
    }
    if (mode.name.empty() || truncated) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(mode));
  }
  return out;
}

const std::vector<std::string>& NetclassNetlinkSysfsFiles() {
  // The three node_exporter still reads from sysfs: they take a per-device
  // lock, not RTNL, and netlink does not carry them.
  static const std::vector<std::string> kFiles = {"addr_assign_type", "dev_id", "name_assign_type"};
  return kFiles;
}

void AddNetclassNetlinkSeries(const std::vector<RtnlLink>& links, const std::vector<EthtoolLinkMode>& modes,
                              const std::vector<std::map<std::string, std::string>>& sysfs_attributes,
                              const NetclassNetlinkOptions& options, MetricSink& sink) {
  static const MetricDesc kSpeed = Gauge("speed_bytes");
  std::map<std::string_view, std::string> duplex;
  for (const EthtoolLinkMode& m : modes) {
    if (options.ignored.Ignored(m.name)) {
      continue;
    }
    // SPEED_UNKNOWN stays 4294967295 Mb/s here, as node_exporter's library
    // keeps it in an int: node_exporter exports it scaled, not left out.
    sink.Add(kSpeed, static_cast<double>(static_cast<std::uint64_t>(m.speed_mbps) * 1000 * 1000 / 8), {m.name});
    duplex[m.name] = EthtoolDuplexName(m.duplex);
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    const RtnlLink& l = links[i];
    if (options.ignored.Ignored(l.name)) {
      continue;
    }
    auto d = duplex.find(l.name);
    const NetClassIface sysfs =
        ParseNetClassAttributes(l.name, i < sysfs_attributes.size() ? sysfs_attributes[i]
                                                                    : std::map<std::string, std::string>{});
    AddLinkSeries(l, d == duplex.end() ? std::string() : d->second, sysfs, options.with_stats, sink);
  }
}

Status CollectNetclassNetlink(const NetclassNetlinkOptions& options, MetricSink& sink) {
  std::uint64_t errors = 0;
  Result<std::vector<EthtoolLinkMode>> modes = DumpLinkModes(&errors);
  if (!modes.ok()) {
    sink.CountParseError(errors);
    return Status::Error("could not get link modes: " + modes.status().message());
  }
  Result<std::string> dump = DumpRtnlLinks();
  Result<std::vector<RtnlLink>> links = dump.ok() ? ParseRtnlLinks(dump.value(), &errors)
                                                           : Result<std::vector<RtnlLink>>(dump.status());
  sink.CountParseError(errors);
  if (!links.ok()) {
    return Status::Error("could not get net class info: " + links.status().message());
  }
  std::erase_if(links.value(), [&options](const RtnlLink& l) { return options.ignored.Ignored(l.name); });
  AddNetclassNetlinkSeries(links.value(), modes.value(), ReadSysfsAttributes(options.fs, links.value()), options,
                           sink);
  return Status::OK();
}

}  // namespace hostwatch
