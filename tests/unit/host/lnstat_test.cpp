#include "collectors/host/lnstat.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(LnstatParserTest, ColumnsByHeaderOneValuePerCpuRow) {
  std::uint64_t errors = 0;
  auto v = ParseLnstat("entries  allocs\n00000014 0000000a\n00000014 0000000b\n", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(v.at("entries"), (std::vector<std::uint64_t>{20, 20}));
  EXPECT_EQ(v.at("allocs"), (std::vector<std::uint64_t>{10, 11}));
}

TEST(LnstatParserTest, BadRowsAndUnusableNamesAreCountedAndSkipped) {
  std::uint64_t errors = 0;
  auto v = ParseLnstat("entries bad-name hits\n1 2 3\n1 x 3\n1 2 3 4\n\n5 6 7\n", &errors);
  // "bad-name", the row with x and the row with four values.
  EXPECT_EQ(errors, 3u);
  EXPECT_EQ(v.count("bad-name"), 0u);
  EXPECT_EQ(v.at("entries"), (std::vector<std::uint64_t>{1, 5}));
  EXPECT_EQ(v.at("hits"), (std::vector<std::uint64_t>{3, 7}));
  EXPECT_TRUE(ParseLnstat("", &errors).empty());
}

TEST(LnstatCollectorTest, EveryFileIsASubsystem) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("lnstat", testing::FixtureFs({.procfs = testing::FixturePath("lnstat")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_lnstat_entries_total{cpu=\"1\",subsystem=\"arp_cache\"}"), 2);
  EXPECT_EQ(testing::Sample(run.text, "node_lnstat_entries_total{cpu=\"0\",subsystem=\"synproxy\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text, "node_lnstat_syn_received_total{cpu=\"1\",subsystem=\"synproxy\"}"), 16);
  EXPECT_EQ(testing::Sample(run.text, "node_lnstat_hits_total{cpu=\"1\",subsystem=\"arp_cache\"}"), 199);
}

TEST(LnstatCollectorTest, MissingDirectoryIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("lnstat", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
