#include "collectors/checks/icmp/icmp_module.h"

#include <cstdint>

#include "collectors/checks/check_config_fields.h"
#include "collectors/checks/ip_network.h"
#include "collectors/core/collector_options.h"

namespace hostwatch {
namespace {

bool IsIpAddress(const std::string& s) {
  int family = 0;
  std::uint8_t bytes[16];
  return ParseIp(s, &family, bytes);
}

}  // namespace

void ParseIcmpModule(ConfigReader& r, const YAML::Node& n, const std::string& path, IcmpModule* out) {
  static const std::vector<std::string_view> kKeys = {"preferred_ip_protocol",
                                                      "ip_protocol_fallback",
                                                      "source_ip_address",
                                                      "payload_size",
                                                      "dont_fragment",
                                                      "ttl",
                                                      "packets",
                                                      "packet_interval"};
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (ParseAddressKey(r, key, v, p, &out->preferred_ip_protocol, &out->ip_protocol_fallback,
                        &out->source_ip_address)) {
      return;
    }
    if (key == "payload_size") {
      r.Int(v, p, 0, kMaxIcmpPayload, &out->payload_size);
    } else if (key == "dont_fragment") {
      r.Bool(v, p, &out->dont_fragment);
    } else if (key == "ttl") {
      r.Int(v, p, 0, 255, &out->ttl);  // blackbox: "ttl" cannot be negative / cannot exceed 255
    } else if (key == "packets") {
      r.Int(v, p, 1, kMaxIcmpPackets, &out->packets);
    } else if (r.Duration(v, p, &out->packet_interval) && out->packet_interval.count() <= 0) {
      r.Error(v, p, "must be above 0");
    }
  });
}

void CheckIcmpRunFits(ConfigReader& r, const YAML::Node& icmp, const std::string& path, const IcmpModule& m,
                      std::chrono::milliseconds timeout) {
  if (m.packets <= 1 || m.packets * m.packet_interval <= timeout) {
    return;
  }
  const YAML::Node at = icmp.IsDefined() && icmp.IsMap() && icmp["packets"].IsDefined() ? icmp["packets"] : icmp;
  r.Error(at, path + ".packets",
          "packets x packet_interval (" + std::to_string((m.packets * m.packet_interval).count()) +
              "ms) must fit in the module's timeout (" + std::to_string(timeout.count()) +
              "ms): the last echo would have no time to be answered");
}

std::string IcmpModuleText(const IcmpModule& m) {
  std::string out = "icmp:\n  preferred_ip_protocol: " + m.preferred_ip_protocol +
                    "\n  ip_protocol_fallback: " + (m.ip_protocol_fallback ? "true" : "false") +
                    "\n  payload_size: " + std::to_string(m.payload_size) +
                    "\n  dont_fragment: " + (m.dont_fragment ? "true" : "false") + "\n  ttl: " + std::to_string(m.ttl) +
                    "\n  packets: " + std::to_string(m.packets) +
                    "\n  packet_interval: " + FormatDuration(m.packet_interval) + "\n";
  if (!m.source_ip_address.empty()) {
    out += "  source_ip_address: " + m.source_ip_address + "\n";
  }
  return out;
}

bool ValidIcmpTarget(const std::string& target, std::string* why) {
  if (target.empty()) {
    *why = "empty target";
    return false;
  }
  if (IsIpAddress(target)) {
    return true;
  }
  if (target.find(':') != std::string::npos) {
    *why = "an icmp target is a host name or IP address, without a port";
    return false;
  }
  if (target.find_first_of("/ []") != std::string::npos) {
    *why = "not a host name or IP address";
    return false;
  }
  return true;
}

}  // namespace hostwatch
