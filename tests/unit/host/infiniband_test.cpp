#include "collectors/host/infiniband.h"

#include <gtest/gtest.h>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(InfinibandParserTest, StateIsTheIdBeforeTheOnlyColon) {
  EXPECT_EQ(ParseInfinibandState("4: ACTIVE\n"), 4u);
  EXPECT_EQ(ParseInfinibandState(" 5 : LinkUp"), 5u);
  EXPECT_FALSE(ParseInfinibandState("ACTIVE"));
  EXPECT_FALSE(ParseInfinibandState("4: A: B"));
  EXPECT_FALSE(ParseInfinibandState("x: ACTIVE"));
}

TEST(InfinibandParserTest, RateIsGigabitsTimes125000000) {
  EXPECT_EQ(ParseInfinibandRate("40 Gb/sec (4X QDR)\n"), 5000000000u);
  EXPECT_EQ(ParseInfinibandRate("2.5 Gb/sec (1X SDR)"), 312500000u);
  // Read as a float32 first, as procfs does: 0.3 becomes 0.300000011920929 (a double would give 37500000).
  EXPECT_EQ(ParseInfinibandRate("0.3 Gb/sec"), 37500001u);
  EXPECT_FALSE(ParseInfinibandRate("40"));
  EXPECT_FALSE(ParseInfinibandRate("fast Gb/sec"));
}

TEST(InfinibandParserTest, CountersScaleDataWordsAndSkipNoPma) {
  std::uint64_t errors = 0;
  EXPECT_EQ(ParseInfinibandCounter("port_rcv_data", "10\n", &errors), 40u);
  EXPECT_EQ(ParseInfinibandCounter("port_xmit_data_64", "0x10", &errors), 64u);
  EXPECT_EQ(ParseInfinibandCounter("link_downed", "3", &errors), 3u);
  EXPECT_EQ(errors, 0u);
  EXPECT_FALSE(ParseInfinibandCounter("symbol_error", "N/A (no PMA)\n", &errors));
  EXPECT_EQ(errors, 0u);
  EXPECT_FALSE(ParseInfinibandCounter("link_downed", "-1", &errors));
  EXPECT_EQ(errors, 1u);
}

TEST(InfinibandCollectorTest, ExportsPortsAndOnlyTheCountersThatParse) {
  testing::CollectorRun run = testing::RunCollectorOnce(
      "infiniband", testing::FixtureFs({.sysfs = testing::FixturePath("infiniband/good")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);  // link_downed "garbage"
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_info{board_id=\"\",device=\"mlx5_0\",firmware_version=\"16.35.2000\","
                                      "hca_type=\"MT4123\"}"),
            1);
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_state_id{device=\"mlx5_0\",port=\"1\"}"), 4);
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_physical_state_id{device=\"hfi1_0\",port=\"1\"}"), 3);
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_rate_bytes_per_second{device=\"hfi1_0\",port=\"1\"}"),
            312500000);
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_port_data_received_bytes_total{device=\"mlx5_0\",port=\"1\"}"),
            40);
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_port_packets_transmitted_total{device=\"mlx5_0\",port=\"1\"}"),
            7);
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_lifespan_seconds{device=\"mlx5_0\",port=\"1\"}"), 12);
  EXPECT_EQ(testing::Sample(run.text, "node_infiniband_out_of_buffer_drops_total{device=\"mlx5_0\",port=\"1\"}"), 16);
  EXPECT_EQ(run.text.find("node_infiniband_symbol_error_total"), std::string::npos);
  EXPECT_EQ(run.text.find("node_infiniband_link_downed_total"), std::string::npos);
  // hfi1_0 has no counters/ directory: its port has state and rate only.
  std::size_t hfi_series = 0;
  for (std::size_t at = run.text.find("device=\"hfi1_0\""); at != std::string::npos;
       at = run.text.find("device=\"hfi1_0\"", at + 1)) {
    ++hfi_series;
  }
  EXPECT_EQ(hfi_series, 4u);  // info, state_id, physical_state_id, rate_bytes_per_second
}

TEST(InfinibandCollectorTest, DeviceFilterSelectsDevices) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("infiniband", "device-exclude", "^mlx").ok());
  testing::CollectorRun run = testing::RunCollectorOnce(
      "infiniband", testing::FixtureFs({.sysfs = testing::FixturePath("infiniband/good")}), options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text.find("mlx5_0"), std::string::npos);
  EXPECT_NE(run.text.find("hfi1_0"), std::string::npos);
}

TEST(InfinibandCollectorTest, NoClassDirectoryIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("infiniband", testing::FixtureFs({})).status.no_data());
}

TEST(InfinibandCollectorTest, UnreadableRequiredFilesFailWithTheirPath) {
  testing::CollectorRun bad = testing::RunCollectorOnce(
      "infiniband", testing::FixtureFs({.sysfs = testing::FixturePath("infiniband/bad_state")}));
  EXPECT_FALSE(bad.status.ok());
  EXPECT_FALSE(bad.status.no_data());
  EXPECT_NE(bad.status.message().find("ports/1/state: cannot parse"), std::string::npos) << bad.status.message();
  testing::CollectorRun no_fw = testing::RunCollectorOnce(
      "infiniband", testing::FixtureFs({.sysfs = testing::FixturePath("infiniband/no_fw")}));
  EXPECT_FALSE(no_fw.status.ok());
  EXPECT_FALSE(no_fw.status.no_data());
  EXPECT_NE(no_fw.status.message().find("fw_ver"), std::string::npos) << no_fw.status.message();
}

}  // namespace
}  // namespace hostwatch
