#include "collectors/host/zoneinfo.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ZoneinfoParserTest, EachBlockKeepsItsOwnKeysAndProtection) {
  std::uint64_t errors = 0;
  std::vector<ZoneinfoZone> zones = ParseZoneinfo("Node 0, zone      DMA\n"
                                                  "  per-node stats\n"
                                                  "      nr_active_anon 5\n"
                                                  "        min      8\n"
                                                  "        protection: (0, 2039, 31932)\n"
                                                  "    cpu: 0\n"
                                                  "              high:  7\n"
                                                  "Node 1, zone   Normal\n"
                                                  "        min      9\n",
                                                  &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[0].node, "0");
  EXPECT_EQ(zones[0].zone, "DMA");
  EXPECT_EQ(zones[0].values.at("nr_active_anon"), 5);
  EXPECT_EQ(zones[0].values.count("high"), 0u);  // "high:" of a pageset is not the watermark
  EXPECT_EQ(zones[0].protection, (std::vector<double>{0, 2039, 31932}));
  EXPECT_EQ(zones[1].node, "1");
  EXPECT_EQ(zones[1].values.at("min"), 9);
  EXPECT_EQ(zones[1].values.count("nr_active_anon"), 0u);
  EXPECT_TRUE(zones[1].protection.empty());
}

TEST(ZoneinfoParserTest, BadHeadersValuesAndProtectionAreCountedAndLeftOut) {
  std::uint64_t errors = 0;
  std::vector<ZoneinfoZone> zones = ParseZoneinfo("garbage before\n"
                                                  "Node x, zone DMA\n"
                                                  "        min 1\n"
                                                  "Node 0, zone Normal\n"
                                                  "        min 1x\n"
                                                  "        low 2\n"
                                                  "        protection: (0, y)\n",
                                                  &errors);
  EXPECT_EQ(errors, 4u);
  ASSERT_EQ(zones.size(), 1u);
  EXPECT_EQ(zones[0].values.count("min"), 0u);
  EXPECT_EQ(zones[0].values.at("low"), 2);
  EXPECT_TRUE(zones[0].protection.empty());
}

TEST(ZoneinfoCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("zoneinfo/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("zoneinfo", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_zoneinfo_nr_active_anon_pages{node=\"0\",zone=\"DMA\"}"), 1175853);
  EXPECT_EQ(testing::Sample(run.text, "node_zoneinfo_nr_dirtied_total{node=\"0\",zone=\"DMA\"}"), 1189097);
  EXPECT_EQ(testing::Sample(run.text, "node_zoneinfo_managed_pages{node=\"0\",zone=\"Normal\"}"), 7654794);
  EXPECT_EQ(testing::Sample(run.text, "node_zoneinfo_nr_kernel_stacks{node=\"0\",zone=\"Normal\"}"), 18864);
  EXPECT_EQ(testing::Sample(run.text, "node_zoneinfo_protection_2{node=\"0\",zone=\"DMA\"}"), 31932);
  EXPECT_EQ(testing::Sample(run.text, "node_zoneinfo_present_pages{node=\"1\",zone=\"Movable\"}"), 0);
  EXPECT_NE(run.text.find("# TYPE node_zoneinfo_numa_hit_total counter"), std::string::npos);
  EXPECT_EQ(run.text.find("node_zoneinfo_nr_free_pages{node=\"1\""), std::string::npos);
}

TEST(ZoneinfoCollectorTest, MissingFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("zoneinfo", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
