#include "collectors/host/xfrm.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(XfrmParserTest, NamesAndDecimalValues) {
  std::uint64_t errors = 0;
  auto v = ParseXfrmStat("XfrmInError             \t1\nXfrmOutPolDead  \t42\n", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(v.at("XfrmInError"), 1);
  EXPECT_EQ(v.at("XfrmOutPolDead"), 42);
}

TEST(XfrmParserTest, LinesThatAreNotANameAndANumberAreCounted) {
  std::uint64_t errors = 0;
  auto v = ParseXfrmStat("XfrmInError 1 2\nXfrmInHdrError x\nXfrmInNoStates\nXfrmAcquireError 3\n", &errors);
  EXPECT_EQ(errors, 3u);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v.at("XfrmAcquireError"), 3);
}

TEST(XfrmCollectorTest, ExportsEveryCounterWithZeroForMissingFields) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("xfrm", testing::FixtureFs({.procfs = testing::FixturePath("xfrm")}));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);  // the "garbage" line
  EXPECT_EQ(testing::Sample(run.text, "node_xfrm_in_state_seq_error_packets_total"), 5);
  EXPECT_EQ(testing::Sample(run.text, "node_xfrm_fwd_hdr_error_packets_total"), 7);
  EXPECT_EQ(testing::Sample(run.text, "node_xfrm_acquire_error_packets_total"), 0);  // not in the file
  std::size_t families = 0;
  for (std::size_t at = run.text.find("# TYPE "); at != std::string::npos; at = run.text.find("# TYPE ", at + 1)) {
    ++families;
  }
  EXPECT_EQ(families, 28u);
}

TEST(XfrmCollectorTest, MissingFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("xfrm", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
