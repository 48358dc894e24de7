#include "collectors/host/drm.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

ProcFs DrmFixture() { return testing::FixtureFs({.sysfs = testing::FixturePath("drm/sys")}); }

TEST(DrmParserTest, OnlyCard0ToCard9AreCards) {
  EXPECT_TRUE(IsDrmCardName("card0"));
  EXPECT_TRUE(IsDrmCardName("card9"));
  EXPECT_FALSE(IsDrmCardName("card10"));  // node_exporter's glob is card[0-9]
  EXPECT_FALSE(IsDrmCardName("card0-DP-1"));
  EXPECT_FALSE(IsDrmCardName("renderD128"));
  EXPECT_FALSE(IsDrmCardName("card"));
}

TEST(DrmParserTest, OnlyAmdgpuCardsAreRead) {
  std::uint64_t errors = 0;
  EXPECT_FALSE(ParseAmdgpuCard("DRIVER=i915\nPCI_CLASS=30000\n", {}, &errors).has_value());
  EXPECT_FALSE(ParseAmdgpuCard("", {}, &errors).has_value());
  std::optional<AmdgpuCard> c = ParseAmdgpuCard("DRIVER=amdgpu\n", {}, &errors);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(errors, 0u);
  for (const std::optional<std::uint64_t>& v : c->values) {
    EXPECT_EQ(v, 0u);  // a file the card lacks reads 0, as in node_exporter
  }
  EXPECT_EQ(c->memory_vendor, "");
}

TEST(DrmParserTest, ValuesParseAsGoDoesAndGarbageIsCounted) {
  std::uint64_t errors = 0;
  std::optional<AmdgpuCard> c = ParseAmdgpuCard("DRIVER=amdgpu\n",
                                                {{"gpu_busy_percent", "7\n"},
                                                 {"mem_info_gtt_total", "0x10"},
                                                 {"mem_info_gtt_used", "lots"},
                                                 {"unique_id", " 0123 \n"},
                                                 {"mem_info_vram_vendor", "hynix"}},
                                                &errors);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->values[0], 7u);
  EXPECT_EQ(c->values[1], 16u);  // strconv.ParseUint(v, 0, 64) reads the 0x prefix
  EXPECT_FALSE(c->values[2].has_value());
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(c->unique_id, "0123");
  EXPECT_EQ(c->memory_vendor, "hynix");
}

TEST(DrmCollectorTest, ExportsAmdgpuCardsOfTheFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("drm", DrmFixture());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# HELP node_drm_card_info Card information\n"
                          "# TYPE node_drm_card_info gauge\n"
                          "node_drm_card_info{card=\"card0\",memory_vendor=\"samsung\",power_performance_level="
                          "\"manual\",unique_id=\"0123456789abcdef\",vendor=\"amd\"} 1\n"
                          "node_drm_card_info{card=\"card2\",memory_vendor=\"\",power_performance_level=\"\","
                          "unique_id=\"\",vendor=\"amd\"} 1\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_drm_gpu_busy_percent{card=\"card0\"}"), 4);
  EXPECT_EQ(testing::Sample(run.text, "node_drm_memory_gtt_size_bytes{card=\"card0\"}"), 8573157376.0);
  EXPECT_EQ(testing::Sample(run.text, "node_drm_memory_gtt_used_bytes{card=\"card0\"}"), 144560128);
  EXPECT_EQ(testing::Sample(run.text, "node_drm_memory_vram_used_bytes{card=\"card0\"}"), 1490378752);
  EXPECT_EQ(testing::Sample(run.text, "node_drm_memory_vis_vram_size_bytes{card=\"card0\"}"), 8573157376.0);
  EXPECT_EQ(testing::Sample(run.text, "node_drm_memory_vis_vram_used_bytes{card=\"card2\"}"), 0);
  EXPECT_EQ(run.text.find("card1"), std::string::npos);   // virtio, not amdgpu
  EXPECT_EQ(run.text.find("card10"), std::string::npos);  // beyond node_exporter's glob
}

TEST(DrmCollectorTest, NoClassIsNoDataAndACardWithoutUeventFails) {
  EXPECT_TRUE(testing::RunCollectorOnce("drm", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("class/drm/card0/device/gpu_busy_percent", "1\n");
  dir.Write("class/drm/card0/device/uevent/inner", "a directory where uevent should be\n");
  testing::CollectorRun run = testing::RunCollectorOnce("drm", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.text, "");
}

TEST(DrmCollectorTest, NoAmdgpuCardIsSuccessWithoutSeries) {
  testing::TempDir dir;
  dir.Write("class/drm/card0/device/uevent", "DRIVER=bochs-drm\n");
  testing::CollectorRun run = testing::RunCollectorOnce("drm", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
