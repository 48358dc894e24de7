#include "collectors/host/edac.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(EdacParserTest, IndexIsTheDigitsAfterThePrefix) {
  EXPECT_EQ(EdacIndex("mc0", "mc"), "0");
  EXPECT_EQ(EdacIndex("csrow12", "csrow"), "12");
  EXPECT_EQ(EdacIndex("mc3x", "mc"), "3");  // the glob mc[0-9]* takes it, the regex keeps the digits
  EXPECT_FALSE(EdacIndex("mc", "mc").has_value());
  EXPECT_FALSE(EdacIndex("power", "mc").has_value());
  EXPECT_FALSE(EdacIndex("csrowx", "csrow").has_value());
}

TEST(EdacParserTest, ChannelOfCeFile) {
  EXPECT_EQ(EdacChannelOfCeFile("ch0_ce_count"), "0");
  EXPECT_EQ(EdacChannelOfCeFile("ch10_ce_count"), "10");
  EXPECT_FALSE(EdacChannelOfCeFile("ch0_ue_count").has_value());
  EXPECT_FALSE(EdacChannelOfCeFile("ch_ce_count").has_value());
  EXPECT_FALSE(EdacChannelOfCeFile("chx_ce_count").has_value());
  EXPECT_FALSE(EdacChannelOfCeFile("ce_count").has_value());
}

TEST(EdacParserTest, DimmLabelAsNodeExporterRewritesIt) {
  EXPECT_EQ(EdacDimmLabel("mc#0csrow#1channel#0\n"), "mc0_csrow1_channel0");
  EXPECT_EQ(EdacDimmLabel("CPU_SrcID#0_Ha#0_Chan#0_DIMM#0"), "CPU_SrcID0_Ha0_Chan0_DIMM0");
}

TEST(EdacCollectorTest, ExportsControllerCsrowAndChannelCounters) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("edac/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("edac", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_edac_correctable_errors_total{controller=\"0\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_edac_uncorrectable_errors_total{controller=\"0\"}"), 5);
  EXPECT_EQ(testing::Sample(run.text, "node_edac_csrow_correctable_errors_total{controller=\"0\",csrow=\"unknown\"}"),
            2);
  EXPECT_EQ(testing::Sample(run.text, "node_edac_csrow_uncorrectable_errors_total{controller=\"0\",csrow=\"unknown\"}"),
            6);
  EXPECT_EQ(testing::Sample(run.text, "node_edac_csrow_correctable_errors_total{controller=\"0\",csrow=\"0\"}"), 3);
  EXPECT_EQ(testing::Sample(run.text, "node_edac_csrow_uncorrectable_errors_total{controller=\"0\",csrow=\"1\"}"), 4);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_edac_channel_correctable_errors_total{channel=\"0\",controller=\"0\","
                            "csrow=\"0\",dimm_label=\"mc0_csrow0_channel0\"}"),
            0);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_edac_channel_uncorrectable_errors_total{channel=\"0\",controller=\"0\","
                            "csrow=\"0\",dimm_label=\"mc0_csrow0_channel0\"}"),
            2);
  // No dimm_label file: "unknown"; no chN_ue_count: no uncorrectable series for that channel.
  EXPECT_EQ(testing::Sample(run.text,
                            "node_edac_channel_correctable_errors_total{channel=\"1\",controller=\"0\","
                            "csrow=\"0\",dimm_label=\"unknown\"}"),
            7);
  EXPECT_EQ(run.text.find("node_edac_channel_uncorrectable_errors_total{channel=\"1\""), std::string::npos);
}

TEST(EdacCollectorTest, NoEdacDriverIsASuccessWithoutSeries) {
  testing::CollectorRun run = testing::RunCollectorOnce("edac", testing::FixtureFs({}));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

TEST(EdacCollectorTest, MissingControllerCounterFailsAndGarbageIsAParseError) {
  testing::TempDir dir;
  dir.Write("devices/system/edac/mc/mc0/ce_count", "1\n");
  testing::CollectorRun run = testing::RunCollectorOnce("edac", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("ce_noinfo_count"), std::string::npos) << run.status.message();

  dir.Write("devices/system/edac/mc/mc0/ce_noinfo_count", "lots\n");
  dir.Write("devices/system/edac/mc/mc0/ue_count", "0\n");
  dir.Write("devices/system/edac/mc/mc0/ue_noinfo_count", "0\n");
  run = testing::RunCollectorOnce("edac", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_EQ(testing::Sample(run.text, "node_edac_correctable_errors_total{controller=\"0\"}"), 1);
}

}  // namespace
}  // namespace hostwatch
