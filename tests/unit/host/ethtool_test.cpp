#include "collectors/host/ethtool.h"

#include <gtest/gtest.h>
#include <linux/ethtool.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "collectors/core/parse_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// Readers of node_exporter's ethtool fixtures (dir: "ethtool/<device>" under tests/fixtures) (the text `ethtool -i`,
// `ethtool` and `ethtool -S` print), read the way upstream's test reads them: a missing file stands for a driver
// without that request (EOPNOTSUPP), "ERROR: <n>" for a request that failed with errno n.
Status Unsupported(const std::string& what) { return Status::FromErrno(EOPNOTSUPP, what); }

// "key: value" pairs of one fixture file, keys and values trimmed.
std::vector<std::pair<std::string, std::string>> FixturePairs(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view line : SplitLines(text)) {
    line = TrimSpace(line);
    std::size_t colon = line.find(": ");
    if (line.starts_with("#") || colon == std::string_view::npos) {
      continue;
    }
    out.emplace_back(std::string(line.substr(0, colon)), std::string(TrimSpace(line.substr(colon + 2))));
  }
  return out;
}

Result<EthtoolDriverInfo> FixtureDriver(const std::string& dir) {
  if (!std::filesystem::exists(testing::FixturePath(dir + "/driver"))) {
    return Unsupported("driver info");
  }
  EthtoolDriverInfo d;
  std::map<std::string, std::string*> fields = {{"driver", &d.driver},
                                                {"version", &d.version},
                                                {"firmware-version", &d.fw_version},
                                                {"bus-info", &d.bus_info},
                                                {"expansion-rom-version", &d.erom_version}};
  for (const auto& [key, value] : FixturePairs(testing::ReadFixture(dir + "/driver"))) {
    if (fields.contains(key)) {
      *fields[key] = value;
    }
  }
  return d;
}

Result<EthtoolStats> FixtureStats(const std::string& dir) {
  if (!std::filesystem::exists(testing::FixturePath(dir + "/statistics"))) {
    return Unsupported("stats");
  }
  EthtoolStats stats;
  for (const auto& [key, value] : FixturePairs(testing::ReadFixture(dir + "/statistics"))) {
    if (key == "ERROR") {
      return Status::FromErrno(static_cast<int>(ParseUint(value).value_or(0)), "stats");
    }
    stats[key] = ParseUint(value).value_or(0);
  }
  return stats;
}

// The link modes `ethtool <dev>` lists, as ETHTOOL_GSET bits (the subset the fixture uses).
std::uint32_t LinkModeBits(std::string_view words) {
  static const std::map<std::string_view, int> kBits = {
      {"10baseT/Half", ETHTOOL_LINK_MODE_10baseT_Half_BIT},
      {"10baseT/Full", ETHTOOL_LINK_MODE_10baseT_Full_BIT},
      {"100baseT/Half", ETHTOOL_LINK_MODE_100baseT_Half_BIT},
      {"100baseT/Full", ETHTOOL_LINK_MODE_100baseT_Full_BIT},
      {"1000baseT/Half", ETHTOOL_LINK_MODE_1000baseT_Half_BIT},
      {"1000baseT/Full", ETHTOOL_LINK_MODE_1000baseT_Full_BIT},
      {"10000baseT/Full", ETHTOOL_LINK_MODE_10000baseT_Full_BIT},
      {"TP", ETHTOOL_LINK_MODE_TP_BIT},
      {"MII", ETHTOOL_LINK_MODE_MII_BIT},
  };
  std::uint32_t bits = 0;
  for (std::string_view w : SplitFields(words)) {
    if (auto it = kBits.find(w); it != kBits.end()) {
      bits |= 1u << it->second;
    }
  }
  return bits;
}

Result<EthtoolLinkInfo> FixtureLink(const std::string& dir) {
  if (!std::filesystem::exists(testing::FixturePath(dir + "/settings"))) {
    return Unsupported("link info");
  }
  EthtoolLinkInfo link;
  std::uint32_t* continued = nullptr;  // the mask a wrapped "link modes" list adds to
  // Kept in a variable: SplitLines' views must not outlive the text (a temporary in the range
  // expression would be destroyed before the loop body runs).
  const std::string settings = testing::ReadFixture(dir + "/settings");
  for (std::string_view line : SplitLines(settings)) {
    line = TrimSpace(line);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (continued != nullptr) {
        *continued |= LinkModeBits(line);
      }
      continue;
    }
    std::string_view key = line.substr(0, colon);
    std::string_view value = TrimSpace(line.substr(colon + 1));
    continued = key == "Supported link modes"    ? &link.supported
                : key == "Advertised link modes" ? &link.advertising
                                                 : nullptr;
    const bool supported = key.starts_with("Supported") || key.starts_with("Supports");
    std::uint32_t* mask = supported ? &link.supported : &link.advertising;
    if (continued != nullptr || key == "Supported ports") {
      *mask |= LinkModeBits(value.starts_with("[") ? value.substr(1, value.size() - 2) : value);
    } else if (key.ends_with("pause frame use") && value == "Symmetric") {
      *mask |= 1u << ETHTOOL_LINK_MODE_Pause_BIT;
    } else if (key.ends_with("pause frame use") && value == "Receive-only") {
      *mask |= 1u << ETHTOOL_LINK_MODE_Asym_Pause_BIT;
    } else if ((key == "Supports auto-negotiation" || key == "Advertised auto-negotiation") && value == "Yes") {
      *mask |= 1u << ETHTOOL_LINK_MODE_Autoneg_BIT;
    } else if (key == "Auto-negotiation") {
      link.autoneg = value == "on" ? 1 : 0;
    }
  }
  return link;
}

EthtoolReadings FixtureReadings(const std::string& device) {
  const std::string dir = "ethtool/" + device;
  return {FixtureLink(dir), FixtureDriver(dir), FixtureStats(dir)};
}

struct Output {
  std::string text;
  std::vector<std::string> warnings;
};

Output Build(EthtoolFamilies& families, const std::map<std::string, EthtoolReadings>& devices) {
  MetricSink sink;
  families.BeginScrape();
  for (const auto& [device, readings] : devices) {
    families.AddDevice(sink, device, readings);
  }
  return {SerializeText(sink.TakeFamilies()), sink.warnings()};
}

EthtoolReadings StatsOnly(Result<EthtoolStats> stats) {
  return {Status::FromErrno(EOPNOTSUPP, "link"), Status::FromErrno(EOPNOTSUPP, "driver"), std::move(stats)};
}

// Upstream's TestEthToolCollector: the devices of its fixture sysfs, of which
// only eth0 has readings; bond0's statistics fail with EPERM.
TEST(EthtoolFamiliesTest, FixtureDevicesGiveNodeExporterOutput) {
  EthtoolFamilies families(std::make_shared<const re2::RE2>(".*"));
  std::map<std::string, EthtoolReadings> devices;
  for (const char* device : {"bond0", "dmz", "eth0", "int"}) {
    devices.emplace(device, FixtureReadings(device));
  }
  Output out = Build(families, devices);
  EXPECT_EQ(out.text, testing::ReadFixture("ethtool/expected.prom"));
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].find("stats error device=bond0"), std::string::npos) << out.warnings[0];
  EXPECT_NE(out.warnings[0].find(std::strerror(EPERM)), std::string::npos) << out.warnings[0];
}

TEST(EthtoolFamiliesTest, SecondScrapeGivesTheSameOutput) {
  EthtoolFamilies families(nullptr);
  std::map<std::string, EthtoolReadings> devices;
  devices.emplace("eth0", FixtureReadings("eth0"));
  EXPECT_EQ(Build(families, devices).text, Build(families, devices).text);
}

// Upstream's TestBuildEthtoolFQName cases.
TEST(EthtoolNameTest, MetricNamesMatchNodeExporter) {
  const std::map<std::string, std::string> cases = {
      {"port.rx_errors", "node_ethtool_port_received_errors"},
      {"rx_errors", "node_ethtool_received_errors"},
      {"Queue[0] AllocFails", "node_ethtool_queue_0_allocfails"},
      {"Tx LPI entry count", "node_ethtool_transmitted_lpi_entry_count"},
      {"port.VF_admin_queue_requests", "node_ethtool_port_vf_admin_queue_requests"},
      {"[3]: tx_bytes", "node_ethtool_3_transmitted_bytes"},
      {"     err", "node_ethtool_err"},
      // rx/tx only as whole words; matches do not overlap, as in Go.
      {"rx_rx", "node_ethtool_received_rx"},
      {"rxq_tx", "node_ethtool_rxq_transmitted"},
      {"tx", "node_ethtool_transmitted"},
  };
  for (const auto& [stat, metric] : cases) {
    EXPECT_EQ(EthtoolMetricName(stat), metric) << stat;
  }
}

TEST(EthtoolNameTest, SanitizingFoldsInvalidRunsWithTheirUnderscores) {
  EXPECT_EQ(SanitizeEthtoolStatName("port.rx_dropped"), "port_rx_dropped");
  EXPECT_EQ(SanitizeEthtoolStatName("a_._b"), "a_b");
  EXPECT_EQ(SanitizeEthtoolStatName("a__b"), "a__b");
  EXPECT_EQ(SanitizeEthtoolStatName("Queue[0] AllocFails"), "Queue_0_AllocFails");
  EXPECT_EQ(SanitizeEthtoolStatName("rx_\xc3\xa9\xff_x"), "rx_x");  // UTF-8 and invalid bytes alike
  EXPECT_EQ(SanitizeEthtoolStatName(""), "");
}

TEST(EthtoolFamiliesTest, MetricsIncludeMatchesTheSanitizedName) {
  EthtoolFamilies families(std::make_shared<const re2::RE2>("^port_rx"));
  Output out = Build(families, {{"eth0", StatsOnly(EthtoolStats{{"port.rx_dropped", 3}, {"port.tx_dropped", 4}})}});
  EXPECT_EQ(out.text,
            "# HELP node_ethtool_port_received_dropped Network interface port_rx_dropped\n"
            "# TYPE node_ethtool_port_received_dropped untyped\n"
            "node_ethtool_port_received_dropped{device=\"eth0\"} 3\n");
}

TEST(EthtoolFamiliesTest, NamesThatClashAfterSanitizingAreAllLeftOut) {
  EthtoolFamilies families(nullptr);
  Output out =
      Build(families, {{"eth0", StatsOnly(EthtoolStats{{"a b", 1}, {"a.b", 2}, {"a_b", 3}, {"RX-ok", 4}, {"c", 5}})}});
  EXPECT_EQ(out.text,
            "# HELP node_ethtool_c Network interface c\n# TYPE node_ethtool_c untyped\n"
            "node_ethtool_c{device=\"eth0\"} 5\n"
            "# HELP node_ethtool_received_ok Network interface RX_ok\n# TYPE node_ethtool_received_ok untyped\n"
            "node_ethtool_received_ok{device=\"eth0\"} 4\n");
}

TEST(EthtoolFamiliesTest, UnsupportedOrVanishedDeviceAddsNothingAndDoesNotWarn) {
  EthtoolFamilies families(nullptr);
  EthtoolReadings gone{Status::FromErrno(ENODEV, "l"), Status::FromErrno(ENODEV, "d"), Status::FromErrno(ENODEV, "s")};
  Output out = Build(families, {{"lo", StatsOnly(Status::FromErrno(EOPNOTSUPP, "s"))}, {"veth9", std::move(gone)}});
  EXPECT_EQ(out.text, "");
  EXPECT_TRUE(out.warnings.empty());
}

TEST(EthtoolFamiliesTest, OtherFailureWarnsAndKeepsTheOtherReadings) {
  EthtoolFamilies families(nullptr);
  EthtoolReadings r{EthtoolLinkInfo{0, 0, 0}, Status::FromErrno(EIO, "ETHTOOL_GDRVINFO eth1"), EthtoolStats{{"x", 7}}};
  Output out = Build(families, {{"eth1", std::move(r)}});
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].find("driver info error device=eth1"), std::string::npos) << out.warnings[0];
  EXPECT_EQ(testing::Sample(out.text, "node_ethtool_x{device=\"eth1\"}"), 7);
  EXPECT_EQ(testing::Sample(out.text, "node_network_autonegotiate{device=\"eth1\"}"), 0);
  EXPECT_EQ(out.text.find("node_ethtool_info"), std::string::npos);
}

TEST(EthtoolFamiliesTest, HighLinkModeBitsGiveTheirSpeeds) {
  EthtoolFamilies families(nullptr);
  const std::uint32_t modes = (1u << ETHTOOL_LINK_MODE_25000baseCR_Full_BIT) | (1u << ETHTOOL_LINK_MODE_Backplane_BIT) |
                              (1u << ETHTOOL_LINK_MODE_Asym_Pause_BIT);
  Output out =
      Build(families, {{"e", {EthtoolLinkInfo{modes, modes, 1}, Status::FromErrno(EOPNOTSUPP, "d"), EthtoolStats{}}}});
  EXPECT_EQ(testing::Sample(out.text,
                            "node_network_supported_speed_bytes{device=\"e\",duplex=\"full\",mode=\"25000baseCR\"}"),
            25000 * 125000.0);
  EXPECT_EQ(testing::Sample(out.text, "node_network_supported_port_info{device=\"e\",type=\"Backplane\"}"), 1);
  EXPECT_EQ(testing::Sample(out.text, "node_network_asymmetricpause_advertised{device=\"e\"}"), 1);
  EXPECT_EQ(testing::Sample(out.text, "node_network_pause_advertised{device=\"e\"}"), 0);
  EXPECT_EQ(testing::Sample(out.text, "node_network_autonegotiate{device=\"e\"}"), 1);
}

// Builds an ETHTOOL_GSTRINGS record block and the matching ETHTOOL_GSTATS values.
std::pair<std::string, std::string> KernelAnswer(const std::vector<std::pair<std::string, std::uint64_t>>& stats) {
  std::string names, values;
  for (const auto& [name, value] : stats) {
    std::string record = name.substr(0, kEthtoolStringLen);
    record.resize(kEthtoolStringLen, '\0');
    names += record;
    values.append(reinterpret_cast<const char*>(&value), sizeof(value));
  }
  return {names, values};
}

TEST(EthtoolParserTest, PairsNamesWithValuesByPosition) {
  const std::string full(kEthtoolStringLen, 'z');  // no NUL: the name fills its record
  auto [names, values] = KernelAnswer({{"peer_ifindex", 4}, {"", 9}, {full, 5}, {"rx_queue_0_xdp_packets", 1}});
  std::uint64_t errors = 0;
  EthtoolStats stats = ParseEthtoolStats(names, values, &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(stats, (EthtoolStats{{"peer_ifindex", 4}, {full, 5}, {"rx_queue_0_xdp_packets", 1}}));
}

TEST(EthtoolParserTest, RepeatedNameKeepsItsLastValue) {
  auto [names, values] = KernelAnswer({{"drops", 1}, {"drops", 2}});
  std::uint64_t errors = 0;
  EXPECT_EQ(ParseEthtoolStats(names, values, &errors), (EthtoolStats{{"drops", 2}}));
}

TEST(EthtoolParserTest, MismatchedSizesUseWhatBothHaveAndCountAnError) {
  auto [names, values] = KernelAnswer({{"a", 1}, {"b", 2}});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {names, values.substr(0, 8)}, {names.substr(0, 40), values}, {names, values.substr(0, 12)}};
  for (const auto& [n, v] : cases) {
    std::uint64_t errors = 0;
    EXPECT_EQ(ParseEthtoolStats(n, v, &errors), (EthtoolStats{{"a", 1}}));
    EXPECT_EQ(errors, 1u);
  }
  std::uint64_t errors = 0;
  EXPECT_TRUE(ParseEthtoolStats("", "", &errors).empty());
  EXPECT_EQ(errors, 0u);
}

// The collector itself, with real ioctls, on sysfs trees made for the test:
// lo supports none of the requests, and a name with no device behind it in
// this network namespace gives ENODEV; neither is worth a warning.
TEST(EthtoolCollectorTest, UnsupportedAndUnknownDevicesAddNothing) {
  testing::TempDir sys;
  std::filesystem::create_directories(sys.path() + "/class/net/lo");
  std::filesystem::create_directories(sys.path() + "/class/net/hwtest-none0");
  sys.Write("class/net/bonding_masters", "");
  testing::CollectorRun run = testing::RunCollectorOnce("ethtool", testing::FixtureFs({.sysfs = sys.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
  EXPECT_EQ(run.warnings, "");
}

TEST(EthtoolCollectorTest, MissingClassNetIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("ethtool", testing::FixtureFs({})).status.no_data());
}

TEST(EthtoolCollectorTest, ClassNetWithoutDevicesIsAnError) {
  testing::TempDir sys;
  sys.Write("class/net/bonding_masters", "");
  testing::CollectorRun run = testing::RunCollectorOnce("ethtool", testing::FixtureFs({.sysfs = sys.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("no network devices found"), std::string::npos) << run.status.message();
}

TEST(EthtoolCollectorTest, BadMetricsIncludeIsRejected) {
  CollectorOptions options = DefaultCollectorOptions();
  EXPECT_FALSE(options.Set("ethtool", "metrics-include", "(").ok());
}

// node_exporter 1.12.1 applies both device options when both are given.
TEST(EthtoolCollectorTest, DeviceIncludeAndExcludeMayBeGivenTogether) {
  testing::TempDir sys;
  std::filesystem::create_directories(sys.path() + "/class/net/lo");
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("ethtool", "device-include", "^l").ok());
  ASSERT_TRUE(options.Set("ethtool", "device-exclude", "^lo$").ok());
  EXPECT_TRUE(testing::RunCollectorOnce("ethtool", testing::FixtureFs({.sysfs = sys.path()}), options).status.ok());
}

}  // namespace
}  // namespace hostwatch
