#include "collectors/host/thermal_zone.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ThermalGoIntTest, ParsesBase10LikeGo) {
  EXPECT_EQ(ParseGoInt64("49925").value, 49925);
  EXPECT_TRUE(ParseGoInt64("-44000").ok);
  EXPECT_EQ(ParseGoInt64("-44000").value, -44000);
  EXPECT_EQ(ParseGoInt64("+7").value, 7);
  // Out of range: Go returns the nearest int64 with its error.
  GoInt64 big = ParseGoInt64("99999999999999999999");
  EXPECT_FALSE(big.ok);
  EXPECT_EQ(big.value, INT64_MAX);
  EXPECT_EQ(ParseGoInt64("-9223372036854775809").value, INT64_MIN);
  EXPECT_EQ(ParseGoInt64("-9223372036854775808").value, INT64_MIN);
  for (const char* bad : {"", "-", "0x10", "1.5", " 1", "abc", "+-1", "1e3"}) {
    GoInt64 v = ParseGoInt64(bad);
    EXPECT_FALSE(v.ok) << bad;
    EXPECT_EQ(v.value, 0) << bad;
  }
}

TEST(ThermalZoneParseTest, KeepsZonesWithUnreadableOrInvalidValues) {
  ThermalZone z = ParseThermalZone("0", "acpitz\n", " 49925\n");
  EXPECT_EQ(z.type, "acpitz");
  EXPECT_EQ(z.millicelsius, 49925);
  EXPECT_TRUE(z.complete);
  z = ParseThermalZone("1", std::nullopt, "garbage");
  EXPECT_EQ(z.type, "");
  EXPECT_EQ(z.millicelsius, 0);
  EXPECT_FALSE(z.complete);
  EXPECT_EQ(ParseThermalZone("2", "t", std::string(130, '1')).millicelsius, INT64_MAX);  // 128 bytes read
}

TEST(CoolingDeviceParseTest, StatesMustBeIntegers) {
  std::optional<CoolingDevice> d = ParseCoolingDevice("1", "intel_powerclamp\n", "50\n", "-1\n");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->type, "intel_powerclamp");
  EXPECT_EQ(d->max_state, 50);
  EXPECT_EQ(d->cur_state, -1);
  EXPECT_FALSE(ParseCoolingDevice("0", "Fan", "x", "0").has_value());
  EXPECT_FALSE(ParseCoolingDevice("0", "Fan", "1", "").has_value());
}

TEST(ThermalZoneCollectorTest, MatchesGoldenOutputOnOwnFixture) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("thermal_zone", testing::FixtureFs({.sysfs = testing::FixturePath("thermal_zone/sys")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, testing::ReadFixture("thermal_zone/expected.prom"));
  EXPECT_EQ(run.parse_errors, 2u);  // thermal_zone1 without temp, thermal_zone10 with garbage
}

TEST(ThermalZoneCollectorTest, NoThermalClassSucceedsEmptyAsUpstream) {
  testing::TempDir empty;
  testing::CollectorRun run = testing::RunCollectorOnce("thermal_zone", testing::FixtureFs({.sysfs = empty.path()}));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

TEST(ThermalZoneCollectorTest, BadCoolingStateFailsAndDropsAllDevicesButKeepsZones) {
  testing::TempDir dir;
  dir.Write("class/thermal/thermal_zone0/type", "acpitz\n");
  dir.Write("class/thermal/thermal_zone0/temp", "30000\n");
  dir.Write("class/thermal/cooling_device0/type", "Processor\n");
  dir.Write("class/thermal/cooling_device0/max_state", "3\n");
  dir.Write("class/thermal/cooling_device0/cur_state", "0\n");
  dir.Write("class/thermal/cooling_device1/type", "Fan\n");
  dir.Write("class/thermal/cooling_device1/max_state", "many\n");
  dir.Write("class/thermal/cooling_device1/cur_state", "0\n");
  testing::CollectorRun run = testing::RunCollectorOnce("thermal_zone", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("cooling_device1/max_state"), std::string::npos) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, R"(node_thermal_zone_temp{type="acpitz",zone="0"})"), 30);
  EXPECT_EQ(run.text.find("node_cooling_device"), std::string::npos);
}

TEST(ThermalZoneCollectorTest, CoolingDeviceThatIsAFileFailsTheCollector) {
  testing::TempDir dir;
  dir.Write("class/thermal/cooling_device0", "");  // reads give ENOTDIR, which procfs does not ignore
  testing::CollectorRun run = testing::RunCollectorOnce("thermal_zone", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
}

}  // namespace
}  // namespace hostwatch
