#include "collectors/host/drbd.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(DrbdParserTest, FieldsBelongToTheLastDeviceLine) {
  std::uint64_t errors = 0;
  std::vector<DrbdDevice> d = ParseDrbd(
      "version: 8.4.3 (api:1/proto:86-101)\n"
      " 1: cs:Connected ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n"
      "    ns:17 nr:10 wo:d oos:3\n"
      " 12: cs:StandAlone\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "drbd1");
  EXPECT_EQ(d[0].numbers.at("ns"), 17);
  EXPECT_EQ(d[0].numbers.at("oos"), 3);
  EXPECT_EQ(d[0].pairs.at("ro"), std::make_pair(std::string("Primary"), std::string("Secondary")));
  EXPECT_EQ(d[0].connection_state, "Connected");
  EXPECT_EQ(d[1].name, "drbd12");
  EXPECT_EQ(d[1].connection_state, "StandAlone");
}

TEST(DrbdParserTest, FieldsBeforeAnyDeviceGoToUnknown) {
  std::uint64_t errors = 0;
  std::vector<DrbdDevice> d = ParseDrbd("ns:5\n", &errors);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].name, "unknown");
}

TEST(DrbdParserTest, GarbageValuesAreLeftOutAndCounted) {
  std::uint64_t errors = 0;
  std::vector<DrbdDevice> d = ParseDrbd(" 0: ns:lots ro:Primary ds:UpToDate/UpToDate nr:4\n", &errors);
  EXPECT_EQ(errors, 2u);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].numbers.count("ns"), 0u);
  EXPECT_EQ(d[0].numbers.at("nr"), 4);
  EXPECT_EQ(d[0].pairs.count("ro"), 0u);
  EXPECT_EQ(d[0].pairs.count("ds"), 1u);
}

TEST(DrbdCollectorTest, ExportsEveryDeviceWithKibibytesAsBytes) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("drbd/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("drbd", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_drbd_network_sent_bytes_total{device=\"drbd1\"}"), 2048);
  EXPECT_EQ(testing::Sample(run.text, "node_drbd_network_received_bytes_total{device=\"drbd1\"}"), 3);
  EXPECT_EQ(testing::Sample(run.text, "node_drbd_out_of_sync_bytes{device=\"drbd1\"}"), 12 * 1024);
  EXPECT_EQ(testing::Sample(run.text, "node_drbd_connected{device=\"drbd0\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_drbd_connected{device=\"drbd1\"}"), 1);
  EXPECT_EQ(testing::Sample(run.text, "node_drbd_node_role_is_primary{device=\"drbd0\",node=\"local\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_drbd_disk_state_is_up_to_date{device=\"drbd1\",node=\"remote\"}"), 1);
}

TEST(DrbdCollectorTest, MissingProcDrbdIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("drbd", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
