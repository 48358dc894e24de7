// wifi collector (off by default, as in node_exporter 1.12.1): wireless
// interfaces, their BSS and stations from nl80211 over generic netlink, as
// node_wifi_interface_frequency_hertz, node_wifi_station_info and the
// node_wifi_station_* families, with the mdlayher/wifi library's parsing.
// Without the nl80211 family (no cfg80211: most servers and VMs) it reports
// no data. With --collector.wifi.fixtures=<dir> it reads upstream's
// end-to-end fixtures instead: <dir>/interfaces.json, <dir>/<iface>/bss.json
// and <dir>/<iface>/stationinfo.json (JSON of the library's Interface, BSS and
// StationInfo; a missing per-interface file means "not available" there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// The library's Interface, with the fields node_exporter reads.
struct WifiInterface {
  std::uint32_t index = 0;   // NL80211_ATTR_IFINDEX
  std::string name;          // NL80211_ATTR_IFNAME; "" for a wireless device without a netdev
  std::optional<std::string> mac;  // NL80211_ATTR_MAC bytes
  std::uint32_t type = 0;          // NL80211_ATTR_IFTYPE
  long long frequency_mhz = 0;     // NL80211_ATTR_WIPHY_FREQ
};

// The library's BSS (the one the interface is authenticated or associated with).
struct WifiBss {
  std::string ssid;   // from the SSID information element, invalid UTF-8 bytes as U+FFFD
  std::string bssid;  // bytes
  long long status = 0;  // NL80211_BSS_STATUS_*
};

// The library's StationInfo; durations in nanoseconds as Go's time.Duration.
struct WifiStation {
  std::string mac;  // NL80211_ATTR_MAC bytes
  long long connected_ns = 0, inactive_ns = 0;
  long long received_bytes = 0, transmitted_bytes = 0, received_packets = 0, transmitted_packets = 0;
  long long receive_bitrate = 0, transmit_bitrate = 0;  // bits per second
  long long signal = 0, transmit_retries = 0, transmit_failed = 0, beacon_loss = 0;
};

// Parsers of nl80211 dumps (NetlinkDump bytes: genlmsghdr, then attributes).
// An NLMSG_ERROR in the dump or a message running past the data is an Error;
// a message shorter than its genlmsghdr or with truncated or short attributes
// is skipped and counted in *parse_errors.
// NL80211_CMD_GET_INTERFACE replies.
Result<std::vector<WifiInterface>> ParseWifiInterfaces(std::string_view bytes, std::uint64_t* parse_errors);
// NL80211_CMD_GET_SCAN replies: the first BSS that has a status; nullopt when none has.
Result<std::optional<WifiBss>> ParseWifiBss(std::string_view bytes, std::uint64_t* parse_errors);
// NL80211_CMD_GET_STATION replies; nullopt when a reply has no station info
// (the library then reports the interface's stations as not available).
Result<std::optional<std::vector<WifiStation>>> ParseWifiStations(std::string_view bytes,
                                                                  std::uint64_t* parse_errors);

// Parsers of upstream's JSON fixture files (keys are the Go field names in any
// case; []byte fields such as hardwareaddr and bssid are base64). Problems go
// to *diag as file:line:column: key: reason.
std::vector<WifiInterface> ParseWifiInterfacesJson(std::string_view json, ConfigDiagnostics* diag);
WifiBss ParseWifiBssJson(std::string_view json, ConfigDiagnostics* diag);
std::vector<WifiStation> ParseWifiStationsJson(std::string_view json, ConfigDiagnostics* diag);

// A Go time.Duration's Seconds(): whole seconds plus the remainder, exactly as Go rounds it.
double GoDurationSeconds(long long ns);

CollectorSpec WifiCollectorSpec();

}  // namespace hostwatch
