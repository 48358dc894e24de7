#include "collectors/host/powersupplyclass.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(PowerSupplyParserTest, ScalesUnitsAndBuildsSortedInfoLabels) {
  std::uint64_t errors = 0;
  PowerSupply ps = ParsePowerSupplyAttributes("BAT0",
                                              {{"voltage_now", "11660000\n"},
                                               {"temp", "315"},
                                               {"cycle_count", "0"},
                                               {"current_now", "-1500000"},
                                               {"capacity", "full"},
                                               {"type", "Battery"},
                                               {"health", ""},
                                               {"model_name", "LNV-45N1\xb1\xb2"}},
                                              &errors);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(ps.name, "BAT0");
  std::map<std::string, double> want = {
      {"voltage_volt", 11.66}, {"temp_celsius", 31.5}, {"cyclecount", 0}, {"current_ampere", -1.5}};
  EXPECT_EQ(ps.values, want);
  InfoLabels labels = {{"model_name", "LNV-45N1\xEF\xBF\xBD"}, {"power_supply", "BAT0"}, {"type", "Battery"}};
  EXPECT_EQ(ps.info, labels);
}

TEST(PowerSupplyCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("powersupplyclass/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("powersupplyclass", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_power_supply_online{power_supply=\"AC\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_power_supply_capacity{power_supply=\"BAT0\"}"), 81);
  EXPECT_EQ(testing::Sample(run.text, "node_power_supply_energy_full{power_supply=\"BAT0\"}"), 45.07);
  EXPECT_EQ(testing::Sample(run.text, "node_power_supply_power_watt{power_supply=\"BAT0\"}"), 5.002);
  EXPECT_EQ(testing::Sample(run.text, "node_power_supply_temp_celsius{power_supply=\"BAT0\"}"), 31.5);
  EXPECT_EQ(testing::Sample(run.text, "node_power_supply_info{power_supply=\"AC\",type=\"Mains\"}"), 1);
  EXPECT_NE(run.text.find("node_power_supply_info{capacity_level=\"Normal\",manufacturer=\"LGC\","
                          "model_name=\"LNV-45N1\xEF\xBF\xBD\",power_supply=\"BAT0\",status=\"Discharging\","
                          "technology=\"Li-ion\",type=\"Battery\"} 1\n"),
            std::string::npos)
      << run.text;
  // One HELP line per family although each info series has its own label set.
  EXPECT_EQ(run.text.find("# HELP node_power_supply_info"), run.text.rfind("# HELP node_power_supply_info"));
}

TEST(PowerSupplyCollectorTest, IgnoredSuppliesAreLeftOut) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("powersupplyclass", "ignored-supplies", "^BAT").ok());
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("powersupplyclass/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("powersupplyclass", fs, options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text.find("BAT0"), std::string::npos);
  EXPECT_EQ(testing::Sample(run.text, "node_power_supply_online{power_supply=\"AC\"}"), 0);
}

TEST(PowerSupplyCollectorTest, MissingClassIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("powersupplyclass", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
