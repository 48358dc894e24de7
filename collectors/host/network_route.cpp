#include "collectors/host/network_route.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

#include "collectors/core/ip_text.h"
#include "collectors/core/netlink_dump.h"
#include "collectors/host/netclass_netlink.h"

namespace hostwatch {
namespace {

const MetricDesc kRouteInfo{"node_network_route_info",
                            "network routing table information",
                            MetricType::Gauge,
                            {"device", "src", "dest", "gw", "priority", "proto", "weight"}};
const MetricDesc kRoutes{"node_network_routes", "network routes by interface", MetricType::Gauge, {"device"}};

// An RTA_DST / RTA_PREFSRC / RTA_GATEWAY value; false unless 4 or 16 bytes (the library's check).
bool Address(std::string_view v, std::string* out) {
  if (v.size() != 4 && v.size() != 16) {
    return false;
  }
  *out = std::string(v);
  return true;
}

// RTA_MULTIPATH: rtnexthop records, each followed by its own attributes.
bool ParseMultipath(std::string_view v, std::vector<RouteNextHop>* out) {
  while (!v.empty()) {
    if (v.size() < sizeof(rtnexthop)) {
      return false;
    }
    rtnexthop nh;
    std::memcpy(&nh, v.data(), sizeof(nh));
    if (nh.rtnh_len < sizeof(rtnexthop) || nh.rtnh_len > v.size()) {
      return false;
    }
    RouteNextHop hop{static_cast<std::uint32_t>(nh.rtnh_ifindex), nh.rtnh_hops, ""};
    bool truncated = false;
    for (const NetlinkAttribute& a :
         SplitNetlinkAttributes(v.substr(sizeof(rtnexthop), nh.rtnh_len - sizeof(rtnexthop)), &truncated)) {
      if (a.type == RTA_GATEWAY && !Address(a.value, &hop.gateway)) {
        return false;
      }
    }
    if (truncated) {
      return false;
    }
    out->push_back(std::move(hop));
    v.remove_prefix(nh.rtnh_len);  // the library steps by the length as given, without padding
  }
  return true;
}

bool ApplyRouteAttribute(const NetlinkAttribute& a, RtnlRoute& r) {
  switch (a.type) {
    case RTA_DST: return Address(a.value, &r.dst);
    case RTA_PREFSRC: return Address(a.value, &r.prefsrc);
    case RTA_GATEWAY: return Address(a.value, &r.gateway);
    case RTA_OIF: r.oif = NetlinkU32(a.value); return true;
    case RTA_PRIORITY: r.priority = NetlinkU32(a.value); return true;
    case RTA_MULTIPATH: return ParseMultipath(a.value, &r.multipath);
    default: return true;
  }
}

// One RTM_NEWROUTE message; false when it is malformed.
bool ParseRouteMessage(std::string_view payload, RtnlRoute& r) {
  if (payload.size() < sizeof(rtmsg)) {
    return false;
  }
  rtmsg rt;
  std::memcpy(&rt, payload.data(), sizeof(rt));
  r.family = rt.rtm_family;
  r.dst_len = rt.rtm_dst_len;
  r.protocol = rt.rtm_protocol;
  r.type = rt.rtm_type;
  bool truncated = false;
  for (const NetlinkAttribute& a : SplitNetlinkAttributes(payload.substr(NLMSG_ALIGN(sizeof(rtmsg))), &truncated)) {
    if (!ApplyRouteAttribute(a, r)) {
      return false;
    }
  }
  return !truncated;
}

// An address label: "" when absent, else Go's net.IP form.
std::string AddressLabel(std::string_view bytes) { return bytes.empty() ? "" : FormatIpLabel(bytes); }

std::string NameOf(const std::unordered_map<std::uint32_t, std::string>& names, std::uint32_t index) {
  auto it = names.find(index);
  return it == names.end() ? "" : it->second;
}

class NetworkRouteCollector : public Collector {
 public:
  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    Status s = CollectRoutes(sink, &errors);
    sink.CountParseError(errors);
    return s;
  }

 private:
  static Status CollectRoutes(MetricSink& sink, std::uint64_t* errors) {
    Result<std::string> link_dump = DumpRtnlLinks();
    if (!link_dump.ok()) {
      return Status::Error("couldn't get links: " + link_dump.status().message());
    }
    Result<std::vector<RtnlLink>> links = ParseRtnlLinks(link_dump.value(), errors);
    if (!links.ok()) {
      return Status::Error("couldn't get links: " + links.status().message());
    }
    rtmsg all{};  // every family, every table
    Result<std::string> route_dump =
        DumpRtnl(RTM_GETROUTE, std::string_view(reinterpret_cast<const char*>(&all), sizeof(all)));
    if (!route_dump.ok()) {
      return Status::Error("couldn't get routes: " + route_dump.status().message());
    }
    Result<std::vector<RtnlRoute>> routes = ParseRouteDump(route_dump.value(), errors);
    if (!routes.ok()) {
      return Status::Error("couldn't get routes: " + routes.status().message());
    }
    std::unordered_map<std::uint32_t, std::string> names;
    for (const RtnlLink& l : links.value()) {
      names[l.index] = l.name;
    }
    AddNetworkRouteSeries(routes.value(), names, sink);
    return Status::OK();
  }
};

}  // namespace

Result<std::vector<RtnlRoute>> ParseRouteDump(std::string_view bytes, std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(bytes);
  if (!messages.ok()) {
    return messages.status();
  }
  std::vector<RtnlRoute> out;
  for (const NetlinkMessage& m : messages.value()) {
    if (m.type != RTM_NEWROUTE) {
      continue;
    }
    RtnlRoute r;
    if (!ParseRouteMessage(m.payload, r)) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

void AddNetworkRouteSeries(const std::vector<RtnlRoute>& routes,
                           const std::unordered_map<std::uint32_t, std::string>& names, MetricSink& sink) {
  std::map<std::string, double> per_device;
  for (const RtnlRoute& r : routes) {
    if (r.type != RTN_UNICAST) {
      continue;
    }
    const std::string src = AddressLabel(r.prefsrc), dest = RouteDestination(r.dst, r.dst_len);
    const std::string priority = std::to_string(r.priority), proto = RouteProtocolName(r.protocol);
    if (r.multipath.empty()) {
      std::string device = NameOf(names, r.oif);
      sink.Add(kRouteInfo, 1, {device, src, dest, AddressLabel(r.gateway), priority, proto, ""});
      ++per_device[device];
      continue;
    }
    for (const RouteNextHop& hop : r.multipath) {
      std::string device = NameOf(names, hop.ifindex);
      sink.Add(kRouteInfo, 1,
               {device, src, dest, AddressLabel(hop.gateway), priority, proto, std::to_string(hop.hops + 1)});
      ++per_device[device];
    }
  }
  for (const auto& [device, n] : per_device) {
    sink.Add(kRoutes, n, {device});
  }
}

std::string RouteDestination(std::string_view dst, std::uint8_t dst_len) {
  if (dst_len == 0) {
    return "default";
  }
  // Go's IPNet.String() with the mask CIDRMask(len, 32 or 128): no mask when len is too
  // long, no network without a 4- or 16-byte address; an IPv4-mapped address counts as IPv4.
  const bool v4 = dst.size() == 4 || (dst.size() == 16 && FormatIpLabel(dst).find(':') == std::string::npos);
  if ((dst.size() != 4 && dst.size() != 16) || dst_len > (v4 ? 32 : 128)) {
    return "<nil>";
  }
  return FormatIpLabel(dst) + "/" + std::to_string(dst_len);
}

std::string RouteProtocolName(std::uint8_t protocol) {
  // node_exporter's table (network_route_linux.go): RTPROT_KEEPALIVED and RTPROT_OPENR are not in it.
  static const std::unordered_map<std::uint8_t, std::string_view> kNames = {
      {RTPROT_UNSPEC, "unspec"}, {RTPROT_REDIRECT, "redirect"}, {RTPROT_KERNEL, "kernel"},
      {RTPROT_BOOT, "boot"},     {RTPROT_STATIC, "static"},     {RTPROT_GATED, "gated"},
      {RTPROT_RA, "ra"},         {RTPROT_MRT, "mrt"},           {RTPROT_ZEBRA, "zebra"},
      {RTPROT_BIRD, "bird"},     {RTPROT_DNROUTED, "dnrouted"}, {RTPROT_XORP, "xorp"},
      {RTPROT_NTK, "ntk"},       {RTPROT_DHCP, "dhcp"},         {RTPROT_MROUTED, "mrouted"},
      {RTPROT_BABEL, "babel"},   {RTPROT_BGP, "bgp"},           {RTPROT_ISIS, "isis"},
      {RTPROT_OSPF, "ospf"},     {RTPROT_RIP, "rip"},           {RTPROT_EIGRP, "eigrp"}};
  auto it = kNames.find(protocol);
  return std::string(it == kNames.end() ? "unknown" : it->second);
}

CollectorSpec NetworkRouteCollectorSpec() {
  return {"network_route",
          false,
          "Exposes the unicast routes of every routing table from rtnetlink (RTM_GETROUTE): "
          "node_network_route_info, node_network_routes.",
          {},
          [](const CollectorContext&) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<NetworkRouteCollector>());
          }};
}

}  // namespace hostwatch
