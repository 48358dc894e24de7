// The wifi collector's parsers: nl80211 replies as the mdlayher/wifi library
// (v0.8.0, node_exporter 1.12.1's) reads them, and upstream's JSON fixtures.
#include <linux/genetlink.h>
#include <linux/nl80211.h>

#include <limits>
#include <utility>

#include "collectors/core/go_json.h"
#include "collectors/core/netlink_dump.h"
#include "collectors/core/strings.h"
#include "collectors/host/wifi.h"

namespace hostwatch {
namespace {

// The attributes of each genetlink message of a dump, after its genlmsghdr;
// a message too short or with truncated attributes is counted and left out.
Result<std::vector<std::vector<NetlinkAttribute>>> GenlMessages(std::string_view bytes, std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(bytes);
  if (!messages.ok()) {
    return messages.status();
  }
  std::vector<std::vector<NetlinkAttribute>> out;
  for (const NetlinkMessage& m : messages.value()) {
    bool truncated = m.payload.size() < GENL_HDRLEN;
    std::vector<NetlinkAttribute> attrs =
        truncated ? std::vector<NetlinkAttribute>{} : SplitNetlinkAttributes(m.payload.substr(GENL_HDRLEN), &truncated);
    if (truncated) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(attrs));
  }
  return out;
}

// The SSID as the library decodes it, rune by rune with utf8.DecodeRune: each
// byte that does not start a valid UTF-8 sequence becomes one U+FFFD (where
// ToValidUtf8 turns a whole run into one).
std::string DecodeSsid(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t len = lead < 0x80 ? 1 : lead < 0xC0 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF8 ? 4 : 0;
    const std::string_view seq = s.substr(i, len);
    if (len != 0 && seq.size() == len && ToValidUtf8(seq) == seq) {
      out.append(seq);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

// A fixed-size scalar attribute; false (malformed) when shorter than its type.
bool U32(const NetlinkAttribute& a, long long* out) {
  if (a.value.size() < 4) return false;
  *out = NetlinkU32(a.value);
  return true;
}

bool ParseInterfaceAttributes(const std::vector<NetlinkAttribute>& attrs, WifiInterface& ifi) {
  long long index = 0, type = 0;
  for (const NetlinkAttribute& a : attrs) {
    bool ok = true;
    switch (a.type) {
      case NL80211_ATTR_IFINDEX: ok = U32(a, &index); ifi.index = static_cast<std::uint32_t>(index); break;
      case NL80211_ATTR_IFNAME: ifi.name = NetlinkString(a.value); break;
      case NL80211_ATTR_MAC: ifi.mac = std::string(a.value); break;
      case NL80211_ATTR_IFTYPE: ok = U32(a, &type); ifi.type = static_cast<std::uint32_t>(type); break;
      case NL80211_ATTR_WIPHY_FREQ: ok = U32(a, &ifi.frequency_mhz); break;
      default: break;
    }
    if (!ok) return false;
  }
  return true;
}

// 802.11 information elements (id, length, data); the SSID is element 0.
bool ParseInformationElements(std::string_view ies, WifiBss& bss) {
  while (!ies.empty()) {
    if (ies.size() < 2 || ies.size() - 2 < static_cast<unsigned char>(ies[1])) {
      return false;
    }
    const std::size_t len = static_cast<unsigned char>(ies[1]);
    if (ies[0] == 0) {
      bss.ssid = DecodeSsid(ies.substr(2, len));
    }
    ies.remove_prefix(2 + len);
  }
  return true;
}

bool ParseBssAttributes(const std::vector<NetlinkAttribute>& attrs, WifiBss& bss) {
  for (const NetlinkAttribute& a : attrs) {
    bool ok = true;
    switch (a.type) {
      case NL80211_BSS_BSSID: bss.bssid = std::string(a.value); break;
      case NL80211_BSS_STATUS: ok = U32(a, &bss.status); break;
      case NL80211_BSS_INFORMATION_ELEMENTS: ok = ParseInformationElements(a.value, bss); break;
      default: break;
    }
    if (!ok) return false;
  }
  return true;
}

// NL80211_STA_INFO_{RX,TX}_BITRATE: BITRATE32, else the 16-bit BITRATE, in 100 kbit/s.
bool ParseRate(std::string_view nested, long long* bits_per_second) {
  bool truncated = false;
  long long rate = 0;
  for (const NetlinkAttribute& a : SplitNetlinkAttributes(nested, &truncated)) {
    if (a.type == NL80211_RATE_INFO_BITRATE32 && !U32(a, &rate)) return false;
    if (rate == 0 && a.type == NL80211_RATE_INFO_BITRATE) {
      if (a.value.size() < 2) return false;
      rate = NetlinkU16(a.value);
    }
  }
  *bits_per_second = rate * 100 * 1000;
  return !truncated;
}

bool ApplyStationAttribute(const NetlinkAttribute& a, WifiStation& s) {
  long long v = 0;
  switch (a.type) {
    case NL80211_STA_INFO_CONNECTED_TIME: if (!U32(a, &v)) return false; s.connected_ns = v * 1000000000LL; break;
    case NL80211_STA_INFO_INACTIVE_TIME: if (!U32(a, &v)) return false; s.inactive_ns = v * 1000000LL; break;
    case NL80211_STA_INFO_RX_BYTES64: if (a.value.size() < 8) return false; s.received_bytes = static_cast<long long>(NetlinkU64(a.value)); break;
    case NL80211_STA_INFO_TX_BYTES64: if (a.value.size() < 8) return false; s.transmitted_bytes = static_cast<long long>(NetlinkU64(a.value)); break;
    case NL80211_STA_INFO_SIGNAL: if (a.value.empty()) return false; s.signal = static_cast<std::int8_t>(a.value[0]); break;
    case NL80211_STA_INFO_RX_PACKETS: return U32(a, &s.received_packets);
    case NL80211_STA_INFO_TX_PACKETS: return U32(a, &s.transmitted_packets);
    case NL80211_STA_INFO_TX_RETRIES: return U32(a, &s.transmit_retries);
    case NL80211_STA_INFO_TX_FAILED: return U32(a, &s.transmit_failed);
    case NL80211_STA_INFO_BEACON_LOSS: return U32(a, &s.beacon_loss);
    case NL80211_STA_INFO_RX_BITRATE: return ParseRate(a.value, &s.receive_bitrate);
    case NL80211_STA_INFO_TX_BITRATE: return ParseRate(a.value, &s.transmit_bitrate);
    // The 32-bit byte counters count only while the 64-bit ones have given nothing (the library's rule).
    case NL80211_STA_INFO_RX_BYTES: if (s.received_bytes == 0 && !U32(a, &s.received_bytes)) return false; break;
    case NL80211_STA_INFO_TX_BYTES: if (s.transmitted_bytes == 0 && !U32(a, &s.transmitted_bytes)) return false; break;
    default: break;
  }
  return true;
}

// One GET_STATION reply: nullopt without NL80211_ATTR_STA_INFO; false when malformed.
bool ParseStation(const std::vector<NetlinkAttribute>& attrs, std::optional<WifiStation>* out) {
  WifiStation s;
  for (const NetlinkAttribute& a : attrs) {
    if (a.type == NL80211_ATTR_MAC) {
      s.mac = std::string(a.value);
    } else if (a.type == NL80211_ATTR_STA_INFO) {
      bool truncated = false;
      for (const NetlinkAttribute& info : SplitNetlinkAttributes(a.value, &truncated)) {
        if (!ApplyStationAttribute(info, s)) return false;
      }
      *out = s;
      return !truncated;  // the library stops at the station info
    }
  }
  return true;
}

// JSON fixture fields: key (lower-case Go field name) -> where the integer goes.
using IntFields = std::vector<std::pair<std::string_view, long long*>>;
void JsonInt(ConfigReader& r, const IntFields& fields, const std::string& key, const YAML::Node& v,
             const std::string& path) {
  for (const auto& [name, field] : fields) {
    if (key == name) {
      r.Int(v, path, std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max(), field);
    }
  }
}

}  // namespace

Result<std::vector<WifiInterface>> ParseWifiInterfaces(std::string_view bytes, std::uint64_t* parse_errors) {
  Result<std::vector<std::vector<NetlinkAttribute>>> messages = GenlMessages(bytes, parse_errors);
  if (!messages.ok()) {
    return messages.status();
  }
  std::vector<WifiInterface> out;
  for (const std::vector<NetlinkAttribute>& attrs : messages.value()) {
    WifiInterface ifi;
    if (!ParseInterfaceAttributes(attrs, ifi)) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(ifi));
  }
  return out;
}

Result<std::optional<WifiBss>> ParseWifiBss(std::string_view bytes, std::uint64_t* parse_errors) {
  Result<std::vector<std::vector<NetlinkAttribute>>> messages = GenlMessages(bytes, parse_errors);
  if (!messages.ok()) {
    return messages.status();
  }
  for (const std::vector<NetlinkAttribute>& attrs : messages.value()) {
    for (const NetlinkAttribute& a : attrs) {
      if (a.type != NL80211_ATTR_BSS) {
        continue;
      }
      bool truncated = false, has_status = false;
      std::vector<NetlinkAttribute> nested = SplitNetlinkAttributes(a.value, &truncated);
      for (const NetlinkAttribute& n : nested) {
        has_status |= n.type == NL80211_BSS_STATUS;
      }
      WifiBss bss;
      if (truncated || (has_status && !ParseBssAttributes(nested, bss))) {
        ++*parse_errors;
      } else if (has_status) {
        return std::optional<WifiBss>(std::move(bss));
      }
    }
  }
  return std::optional<WifiBss>();
}

Result<std::optional<std::vector<WifiStation>>> ParseWifiStations(std::string_view bytes,
                                                                  std::uint64_t* parse_errors) {
  Result<std::vector<std::vector<NetlinkAttribute>>> messages = GenlMessages(bytes, parse_errors);
  if (!messages.ok()) {
    return messages.status();
  }
  std::vector<WifiStation> out;
  for (const std::vector<NetlinkAttribute>& attrs : messages.value()) {
    std::optional<WifiStation> s;
    if (!ParseStation(attrs, &s)) {
      ++*parse_errors;
      continue;
    }
    if (!s) {
      return std::optional<std::vector<WifiStation>>();
    }
    out.push_back(std::move(*s));
  }
  return std::optional<std::vector<WifiStation>>(std::move(out));
}

std::vector<WifiInterface> ParseWifiInterfacesJson(std::string_view json, ConfigDiagnostics* diag) {
  std::vector<WifiInterface> out;
  YAML::Node root = ParseJsonDocument(json, diag);
  ConfigReader r(diag);
  if (!diag->ok() || root.IsNull()) {
    return out;
  }
  r.Items(root, "", [&](const YAML::Node& item, const std::string& path) {
    WifiInterface ifi;
    long long index = 0, type = 0;
    IntFields ints = {{"index", &index}, {"type", &type}, {"frequency", &ifi.frequency_mhz}};
    GoJsonObject(r, item, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "name") {
        r.String(v, p, &ifi.name);
      } else if (key == "hardwareaddr") {
        std::string mac;
        if (GoJsonBytes(r, v, p, &mac)) ifi.mac = mac;
      } else {
        JsonInt(r, ints, key, v, p);
      }
    });
    ifi.index = static_cast<std::uint32_t>(index);
    ifi.type = static_cast<std::uint32_t>(type);
    out.push_back(std::move(ifi));
  });
  return out;
}

WifiBss ParseWifiBssJson(std::string_view json, ConfigDiagnostics* diag) {
  WifiBss bss;
  YAML::Node root = ParseJsonDocument(json, diag);
  ConfigReader r(diag);
  if (!diag->ok()) {
    return bss;
  }
  GoJsonObject(r, root, "", [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "ssid") {
      r.String(v, p, &bss.ssid);
    } else if (key == "bssid") {
      GoJsonBytes(r, v, p, &bss.bssid);
    } else {
      JsonInt(r, {{"status", &bss.status}}, key, v, p);
    }
  });
  return bss;
}

std::vector<WifiStation> ParseWifiStationsJson(std::string_view json, ConfigDiagnostics* diag) {
  std::vector<WifiStation> out;
  YAML::Node root = ParseJsonDocument(json, diag);
  ConfigReader r(diag);
  if (!diag->ok() || root.IsNull()) {
    return out;
  }
  r.Items(root, "", [&](const YAML::Node& item, const std::string& path) {
    WifiStation s;
    IntFields ints = {{"connected", &s.connected_ns},
                      {"inactive", &s.inactive_ns},
                      {"receivedbytes", &s.received_bytes},
                      {"transmittedbytes", &s.transmitted_bytes},
                      {"receivedpackets", &s.received_packets},
                      {"transmittedpackets", &s.transmitted_packets},
                      {"receivebitrate", &s.receive_bitrate},
                      {"transmitbitrate", &s.transmit_bitrate},
                      {"signal", &s.signal},
                      {"transmitretries", &s.transmit_retries},
                      {"transmitfailed", &s.transmit_failed},
                      {"beaconloss", &s.beacon_loss}};
    GoJsonObject(r, item, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "hardwareaddr") {
        GoJsonBytes(r, v, p, &s.mac);
      } else {
        JsonInt(r, ints, key, v, p);
      }
    });
    out.push_back(std::move(s));
  });
  return out;
}

double GoDurationSeconds(long long ns) {
  const long long sec = ns / 1000000000LL, rest = ns % 1000000000LL;
  return static_cast<double>(sec) + static_cast<double>(rest) / 1e9;
}

}  // namespace hostwatch
