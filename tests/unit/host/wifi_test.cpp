#include "collectors/host/wifi.h"

#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/nl80211.h>

#include "collectors/core/netlink_dump.h"
#include "collectors/registry.h"
#include "tests/unit/netlink_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::string Bytes(const void* p, std::size_t n) { return std::string(static_cast<const char*>(p), n); }
template <typename T>
std::string Attr(std::uint16_t type, T v) {
  return NetlinkAttributeBytes(type, Bytes(&v, sizeof(v)));
}

// An nl80211 reply: genlmsghdr, then attributes (the family id is the message type).
std::string Nl80211Message(std::uint8_t cmd, const std::string& attributes) {
  genlmsghdr genl{};
  genl.cmd = cmd;
  genl.version = 1;
  std::string body = Bytes(&genl, sizeof(genl)) + attributes;
  return testing::NetlinkMessageBytes(0x1c, body.data(), body.size());
}

const std::string kMac("\x00\x01\x02\x03\x04\x05", 6);
const std::string kPeer("\xaa\xbb\xcc\xdd\xee\xff", 6);

TEST(ParseWifiInterfacesTest, ReadsTheInterfaceAttributes) {
  std::string dump =
      Nl80211Message(NL80211_CMD_NEW_INTERFACE,
                     Attr<std::uint32_t>(NL80211_ATTR_IFINDEX, 3) + NetlinkAttributeBytes(NL80211_ATTR_IFNAME, std::string("wlan0\0", 6)) +
                         NetlinkAttributeBytes(NL80211_ATTR_MAC, kMac) + Attr<std::uint32_t>(NL80211_ATTR_IFTYPE, NL80211_IFTYPE_STATION) +
                         Attr<std::uint32_t>(NL80211_ATTR_WIPHY_FREQ, 5180)) +
      Nl80211Message(NL80211_CMD_NEW_INTERFACE, Attr<std::uint32_t>(NL80211_ATTR_IFTYPE, NL80211_IFTYPE_P2P_DEVICE)) +
      Nl80211Message(NL80211_CMD_NEW_INTERFACE, NetlinkAttributeBytes(NL80211_ATTR_WIPHY_FREQ, "\x01")) +  // short
      testing::NetlinkDoneBytes();
  std::uint64_t errors = 0;
  Result<std::vector<WifiInterface>> ifis = ParseWifiInterfaces(dump, &errors);
  ASSERT_TRUE(ifis.ok()) << ifis.status().message();
  EXPECT_EQ(errors, 1u);
  ASSERT_EQ(ifis.value().size(), 2u);
  EXPECT_EQ(ifis.value()[0].index, 3u);
  EXPECT_EQ(ifis.value()[0].name, "wlan0");
  EXPECT_EQ(ifis.value()[0].mac, kMac);
  EXPECT_EQ(ifis.value()[0].frequency_mhz, 5180);
  EXPECT_EQ(ifis.value()[1].name, "");
  EXPECT_FALSE(ifis.value()[1].mac.has_value());
}

std::string BssMessage(const std::string& bss_attributes) {
  return Nl80211Message(NL80211_CMD_NEW_SCAN_RESULTS,
                        Attr<std::uint32_t>(NL80211_ATTR_IFINDEX, 3) + NetlinkAttributeBytes(NL80211_ATTR_BSS, bss_attributes));
}

TEST(ParseWifiBssTest, TheFirstBssWithAStatusIsTheOneInUse) {
  std::string ies = std::string("\x00\x05", 2) + "Caf\xe9!" + std::string("\x01\x02\x82\x84", 4);  // SSID, rates
  std::string dump = BssMessage(NetlinkAttributeBytes(NL80211_BSS_BSSID, kPeer)) +  // scanned, not joined
                     BssMessage(NetlinkAttributeBytes(NL80211_BSS_BSSID, kMac) +
                                NetlinkAttributeBytes(NL80211_BSS_INFORMATION_ELEMENTS, ies) +
                                Attr<std::uint32_t>(NL80211_BSS_STATUS, NL80211_BSS_STATUS_ASSOCIATED));
  std::uint64_t errors = 0;
  Result<std::optional<WifiBss>> bss = ParseWifiBss(dump, &errors);
  ASSERT_TRUE(bss.ok());
  ASSERT_TRUE(bss.value().has_value());
  EXPECT_EQ(bss.value()->bssid, kMac);
  EXPECT_EQ(bss.value()->ssid, "Caf\xEF\xBF\xBD!");  // the invalid byte becomes U+FFFD
  EXPECT_EQ(bss.value()->status, NL80211_BSS_STATUS_ASSOCIATED);
  EXPECT_EQ(errors, 0u);
  // Without any status: not available; a broken information element is counted.
  Result<std::optional<WifiBss>> none = ParseWifiBss(
      BssMessage(NetlinkAttributeBytes(NL80211_BSS_INFORMATION_ELEMENTS, std::string("\x00\x09x", 3)) +
                 Attr<std::uint32_t>(NL80211_BSS_STATUS, 0)),
      &errors);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());
  EXPECT_EQ(errors, 1u);
}

std::string StationMessage(const std::string& info) {
  return Nl80211Message(NL80211_CMD_NEW_STATION, Attr<std::uint32_t>(NL80211_ATTR_IFINDEX, 3) +
                                                     NetlinkAttributeBytes(NL80211_ATTR_MAC, kPeer) +
                                                     NetlinkAttributeBytes(NL80211_ATTR_STA_INFO, info));
}

TEST(ParseWifiStationsTest, ReadsStationInfoAsTheLibraryDoes) {
  std::string rx_rate = Attr<std::uint16_t>(NL80211_RATE_INFO_BITRATE, 540);
  std::string tx_rate = Attr<std::uint32_t>(NL80211_RATE_INFO_BITRATE32, 8667) + Attr<std::uint16_t>(NL80211_RATE_INFO_BITRATE, 1);
  std::string info = Attr<std::uint32_t>(NL80211_STA_INFO_INACTIVE_TIME, 1234) + Attr<std::uint32_t>(NL80211_STA_INFO_RX_BYTES, 77) +
                     Attr<std::uint32_t>(NL80211_STA_INFO_TX_BYTES, 5) + Attr<std::uint64_t>(NL80211_STA_INFO_TX_BYTES64, 1ull << 33) +
                     Attr<std::int8_t>(NL80211_STA_INFO_SIGNAL, -61) + Attr<std::uint32_t>(NL80211_STA_INFO_CONNECTED_TIME, 3600) +
                     NetlinkAttributeBytes(NL80211_STA_INFO_RX_BITRATE, rx_rate) +
                     NetlinkAttributeBytes(NL80211_STA_INFO_TX_BITRATE, tx_rate) +
                     Attr<std::uint32_t>(NL80211_STA_INFO_TX_RETRIES, 7) + Attr<std::uint32_t>(NL80211_STA_INFO_BEACON_LOSS, 2);
  std::uint64_t errors = 0;
  Result<std::optional<std::vector<WifiStation>>> st = ParseWifiStations(StationMessage(info), &errors);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st.value().has_value());
  ASSERT_EQ(st.value()->size(), 1u);
  const WifiStation& s = st.value()->front();
  EXPECT_EQ(s.mac, kPeer);
  EXPECT_EQ(s.inactive_ns, 1234000000LL);
  EXPECT_EQ(s.connected_ns, 3600000000000LL);
  EXPECT_EQ(s.received_bytes, 77);            // no 64-bit counter: the 32-bit one
  EXPECT_EQ(s.transmitted_bytes, 1LL << 33);  // the 64-bit counter after the 32-bit one wins
  EXPECT_EQ(s.signal, -61);
  EXPECT_EQ(s.receive_bitrate, 54000000);
  EXPECT_EQ(s.transmit_bitrate, 866700000);  // BITRATE32 first, the 16-bit value ignored
  EXPECT_EQ(s.transmit_retries, 7);
  EXPECT_EQ(s.beacon_loss, 2);
  EXPECT_EQ(errors, 0u);
  // A reply without station info: the interface's stations are not available.
  std::string bare = Nl80211Message(NL80211_CMD_NEW_STATION, Attr<std::uint32_t>(NL80211_ATTR_IFINDEX, 3));
  Result<std::optional<std::vector<WifiStation>>> none = ParseWifiStations(StationMessage(info) + bare, &errors);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());
  // A short signal attribute is counted and that station skipped.
  Result<std::optional<std::vector<WifiStation>>> bad =
      ParseWifiStations(StationMessage(NetlinkAttributeBytes(NL80211_STA_INFO_SIGNAL, "")), &errors);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad.value()->size(), 0u);
  EXPECT_EQ(errors, 1u);
}

TEST(GoDurationSecondsTest, RoundsAsGo) {
  EXPECT_EQ(GoDurationSeconds(400000000), 0.4);
  EXPECT_EQ(GoDurationSeconds(30000000000), 30.0);
  EXPECT_EQ(GoDurationSeconds(1500000001), 1.0 + 500000001 / 1e9);
}

TEST(WifiCollectorTest, FixturesGiveUpstreamsFamilies) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("wifi", "fixtures", testing::FixturePath("wifi")).ok());
  testing::CollectorRun run = testing::RunCollectorOnce("wifi", testing::FixtureFs({}), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_interface_frequency_hertz{device=\"wlan0\"}"), 5.18e9);
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_interface_frequency_hertz{device=\"mon0\"}"), 2.412e9);
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_station_info{bssid=\"00:11:22:33:44:55\",device=\"wlan0\","
                                      "mode=\"ad-hoc\",ssid=\"Caf\xC3\xA9 net\"}"),
            1.0);
  const std::string station = "{device=\"wlan0\",mac_address=\"aa:bb:cc:dd:ee:ff\"}";
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_station_connected_seconds_total" + station), 1.5);
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_station_inactive_seconds" + station), 0.123456789);
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_station_signal_dbm" + station), -61.0);
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_station_receive_bytes_total" + station), 1234567890123.0);
  EXPECT_EQ(testing::Sample(run.text, "node_wifi_station_transmitted_packets_total" + station), 900.0);
  EXPECT_EQ(run.text.find("mon0\",mac"), std::string::npos);  // no stationinfo.json: no stations
}

TEST(WifiCollectorTest, ABrokenFixtureIsAnErrorNamingTheFile) {
  testing::TempDir dir;
  dir.Write("interfaces.json", "[{\"name\": \"wlan0\"}]");
  dir.Write("wlan0/bss.json", "{\"bssid\": \"not base64!\"}");
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("wifi", "fixtures", dir.path()).ok());
  testing::CollectorRun run = testing::RunCollectorOnce("wifi", testing::FixtureFs({}), options);
  ASSERT_FALSE(run.status.ok());
  EXPECT_NE(run.status.message().find("wlan0/bss.json:1:11: bssid: must be base64 bytes"), std::string::npos)
      << run.status.message();
}

TEST(WifiCollectorTest, WithoutWirelessDevicesThereIsNoDataOrNothing) {
  // This VM has no cfg80211: no nl80211 family, "no data". Where the family exists without
  // devices the collector succeeds with no wireless series. Either way: no error.
  testing::CollectorRun run = testing::RunCollectorOnce("wifi", testing::FixtureFs({}));
  EXPECT_TRUE(run.status.ok() || run.status.no_data()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
}

}  // namespace
}  // namespace hostwatch
