#include "collectors/host/fibrechannel.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(FibrechannelParserTest, HexCountersAndNamesLikeNodeExporter) {
  std::uint64_t errors = 0;
  std::optional<FibreChannelHost> h = ParseFibreChannelHost(
      "host0", {{"port_name", "0x1000e0071bce95f2\n"}, {"fabric_name", "0x0"}, {"speed", "16 Gbit\n"}},
      {{"rx_frames", "0x30\n"}, {"dumped_frames", "0xffffffffffffffff"}, {"nos_count", "12"}}, &errors);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(h->attributes.at("port_name"), "1000e0071bce95f2");
  EXPECT_EQ(h->attributes.at("fabric_name"), "0");
  EXPECT_EQ(h->attributes.at("speed"), "16 Gbit");
  EXPECT_EQ(h->counters.at("rx_frames"), 0x30u);
  EXPECT_EQ(h->counters.at("dumped_frames"), UINT64_MAX);
  EXPECT_EQ(h->counters.at("nos_count"), 12u);
}

TEST(FibrechannelParserTest, AGarbageCounterDropsTheHostAndIsCounted) {
  std::uint64_t errors = 0;
  EXPECT_FALSE(ParseFibreChannelHost("host0", {}, {{"rx_frames", "lots"}}, &errors).has_value());
  EXPECT_EQ(errors, 1u);
}

TEST(FibrechannelCollectorTest, ExportsInfoAndImplementedCounters) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("fibrechannel/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("fibrechannel", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text,
                            "node_fibrechannel_info{dev_loss_tmo=\"\",fabric_name=\"0\",fc_host=\"host0\","
                            "port_id=\"000002\",port_name=\"\",port_state=\"Online\",port_type=\"\",speed=\"16 Gbit\","
                            "supported_classes=\"\",supported_speeds=\"\",symbolic_name=\"\"}"),
            1)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_fibrechannel_error_frames_total{fc_host=\"host0\"}"), 19);
  // all ones: not implemented by the firmware, so not exported
  EXPECT_FALSE(testing::Sample(run.text, "node_fibrechannel_dumped_frames_total{fc_host=\"host0\"}").has_value());
  // a counter file that is missing reads as 0
  EXPECT_EQ(testing::Sample(run.text, "node_fibrechannel_nos_total{fc_host=\"host0\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_fibrechannel_tx_frames_total{fc_host=\"host1\"}"), 0);
}

TEST(FibrechannelCollectorTest, MissingClassOrStatisticsIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("fibrechannel", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("class/fc_host/host0/port_state", "Online\n");
  testing::CollectorRun run = testing::RunCollectorOnce("fibrechannel", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

TEST(FibrechannelCollectorTest, AHostWithAGarbageCounterIsLeftOutAndCounted) {
  testing::TempDir dir;
  dir.Write("class/fc_host/host0/statistics/rx_frames", "0x1\n");
  dir.Write("class/fc_host/host1/statistics/rx_frames", "0xZZ\n");
  testing::CollectorRun run = testing::RunCollectorOnce("fibrechannel", testing::FixtureFs({.sysfs = dir.path()}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_EQ(testing::Sample(run.text, "node_fibrechannel_rx_frames_total{fc_host=\"host0\"}"), 1);
  EXPECT_FALSE(testing::Sample(run.text, "node_fibrechannel_rx_frames_total{fc_host=\"host1\"}").has_value());
}

}  // namespace
}  // namespace hostwatch
