#include "collectors/host/rapl.h"

#include <gtest/gtest.h>

#include "collectors/core/strings.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(RaplParserTest, NameAndIndexAsProcfs) {
  std::map<std::string, int> counts;
  RaplZoneName a = RaplZoneNameAndIndex("package-1\n", &counts);
  EXPECT_EQ(a.name, "package");
  EXPECT_EQ(a.index, 1);
  RaplZoneName b = RaplZoneNameAndIndex("core", &counts);
  EXPECT_EQ(b.name, "core");
  EXPECT_EQ(b.index, 0);
  RaplZoneName c = RaplZoneNameAndIndex("core", &counts);
  EXPECT_EQ(c.index, 1);
  RaplZoneName d = RaplZoneNameAndIndex("package", &counts);  // counted from package-1
  EXPECT_EQ(d.index, 2);
  RaplZoneName e = RaplZoneNameAndIndex("a-b-1", &counts);  // two dashes: the name stays whole
  EXPECT_EQ(e.name, "a-b-1");
  EXPECT_EQ(e.index, 0);
  RaplZoneName f = RaplZoneNameAndIndex("dram-x", &counts);
  EXPECT_EQ(f.name, "dram-x");
}

// Zone names go through the core SanitizeMetricName, as node_exporter's rapl collector does.
TEST(RaplParserTest, SanitizeAsNodeExporter) {
  EXPECT_EQ(SanitizeMetricName("package"), "package");
  EXPECT_EQ(SanitizeMetricName("dram-x"), "dram_x");
  EXPECT_EQ(SanitizeMetricName("a__-.__b"), "a_b");
  EXPECT_EQ(SanitizeMetricName("__a"), "__a");
  EXPECT_EQ(SanitizeMetricName("a!"), "a_");
}

TEST(RaplCollectorTest, ExportsAFamilyPerZoneName) {
  const std::string root = testing::FixturePath("rapl/sys");
  testing::CollectorRun run = testing::RunCollectorOnce("rapl", testing::FixtureFs({.sysfs = root}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  const std::string path = root + "/class/powercap/intel-rapl:0";
  EXPECT_EQ(testing::Sample(run.text, "node_rapl_package_joules_total{index=\"0\",path=\"" + path + "\"}"),
            240422.366267);
  EXPECT_EQ(testing::Sample(run.text, "node_rapl_core_joules_total{index=\"0\",path=\"" + path + ":0\"}"),
            118821.284256);
  EXPECT_EQ(testing::Sample(
                run.text, "node_rapl_psys_joules_total{index=\"0\",path=\"" + root + "/class/powercap/intel-rapl:1\"}"),
            1);
  EXPECT_NE(run.text.find("# HELP node_rapl_core_joules_total Current RAPL core value in joules\n"), std::string::npos);
}

TEST(RaplCollectorTest, ZoneLabelPutsEveryZoneInOneFamily) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("rapl", "enable-zone-label", "true").ok());
  const std::string root = testing::FixturePath("rapl/sys");
  testing::CollectorRun run = testing::RunCollectorOnce("rapl", testing::FixtureFs({.sysfs = root}), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_rapl_joules_total{index=\"0\",path=\"" + root +
                                          "/class/powercap/intel-rapl:0\",rapl_zone=\"package\"}"),
            240422.366267);
  EXPECT_EQ(run.text.find("node_rapl_package_joules_total"), std::string::npos);
}

TEST(RaplCollectorTest, MissingClassIsNoDataAndMissingEnergyFails) {
  EXPECT_TRUE(testing::RunCollectorOnce("rapl", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("class/powercap/intel-rapl:0/name", "package-0\n");
  dir.Write("class/powercap/intel-rapl:0/max_energy_range_uj", "100\n");
  testing::CollectorRun run = testing::RunCollectorOnce("rapl", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
}

}  // namespace
}  // namespace hostwatch
