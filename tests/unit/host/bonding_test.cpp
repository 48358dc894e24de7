#include "collectors/host/bonding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using ::testing::HasSubstr;

TEST(BondingParserTest, NamesAreWhitespaceSeparated) {
  EXPECT_EQ(ParseBondingNames("bond0 dmz int\n"), (std::vector<std::string>{"bond0", "dmz", "int"}));
  EXPECT_EQ(ParseBondingNames(" eth0\teth1 \r\n\neth2"), (std::vector<std::string>{"eth0", "eth1", "eth2"}));
  EXPECT_TRUE(ParseBondingNames("\n").empty());
  EXPECT_TRUE(ParseBondingNames("").empty());
}

TEST(BondingParserTest, OnlyUpIsActive) {
  EXPECT_TRUE(ParseBondingSlaveUp("up"));
  EXPECT_TRUE(ParseBondingSlaveUp("up\n"));
  EXPECT_FALSE(ParseBondingSlaveUp("down"));
  EXPECT_FALSE(ParseBondingSlaveUp("going down"));
  EXPECT_FALSE(ParseBondingSlaveUp("going back"));
  EXPECT_FALSE(ParseBondingSlaveUp(""));
}

testing::CollectorRun RunOn(const std::string& tree) {
  return testing::RunCollectorOnce("bonding",
                                   testing::FixtureFs({.sysfs = testing::FixturePath("bonding/" + tree + "/sys")}));
}

TEST(BondingCollectorTest, CountsSlavesUnderLowerAndSlaveLinks) {
  testing::CollectorRun run = RunOn("mixed");
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_bonding_active Number of active slaves per bonding interface.\n"
            "# TYPE node_bonding_active gauge\n"
            "node_bonding_active{master=\"bond0\"} 1\n"  // eth1 is "going down"
            "node_bonding_active{master=\"bond1\"} 2\n"  // eth2 through the older slave_ link
            "node_bonding_active{master=\"bond2\"} 0\n"
            "# HELP node_bonding_slaves Number of configured slaves per bonding interface.\n"
            "# TYPE node_bonding_slaves gauge\n"
            "node_bonding_slaves{master=\"bond0\"} 2\n"
            "node_bonding_slaves{master=\"bond1\"} 2\n"
            "node_bonding_slaves{master=\"bond2\"} 0\n");
}

TEST(BondingCollectorTest, NoBondingMastersIsNoData) {
  testing::CollectorRun run = RunOn("no_bonding");
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_THAT(run.status.message(), HasSubstr("bonding_masters"));
  EXPECT_TRUE(RunOn("does_not_exist").status.no_data());
}

// node_exporter ends the collection at the first file it cannot read; a
// missing one (a master or slave gone while it reads) means no data.
TEST(BondingCollectorTest, MissingMasterOrSlaveIsNoData) {
  for (const char* tree : {"vanished_master", "missing_slave"}) {
    testing::CollectorRun run = RunOn(tree);
    EXPECT_TRUE(run.status.no_data()) << tree << ": " << run.status.message();
    EXPECT_TRUE(run.text.empty()) << tree;
  }
  EXPECT_THAT(RunOn("missing_slave").status.message(), HasSubstr("slave_eth9/bonding_slave/mii_status"));
}

TEST(BondingCollectorTest, UnreadableSlaveStatusIsAnError) {
  testing::CollectorRun run = RunOn("broken_slave");
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data()) << run.status.message();
  EXPECT_THAT(run.status.message(), HasSubstr("lower_eth0/bonding_slave/mii_status"));
  EXPECT_TRUE(run.text.empty());
}

}  // namespace
}  // namespace hostwatch
