#include "collectors/host/softirqs.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(SoftirqsParserTest, KeepsKnownVectorsInFileOrder) {
  std::uint64_t errors = 0;
  std::vector<SoftirqRow> rows =
      ParseSoftirqs("       CPU0  CPU1\n   HI:  7  1\n NEW_VEC:  3  4\n  RCU:  155929  146631\n", &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].type, "HI");
  EXPECT_EQ(rows[0].per_cpu, (std::vector<double>{7, 1}));
  EXPECT_EQ(rows[1].type, "RCU");
}

TEST(SoftirqsParserTest, SkipsAndCountsRowsWithBadCounts) {
  std::uint64_t errors = 0;
  std::vector<SoftirqRow> rows = ParseSoftirqs("  CPU0 CPU1\n HI: 7 x\n TIMER: -1 2\n SCHED: 1 2\n", &errors);
  EXPECT_EQ(errors, 2u);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].type, "SCHED");
}

TEST(SoftirqsCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("softirqs/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("softirqs", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text, "node_softirqs_functions_total{cpu=\"1\",type=\"NET_RX\"}"), 104508);
  EXPECT_EQ(testing::Sample(run.text, "node_softirqs_functions_total{cpu=\"0\",type=\"IRQ_POLL\"}"), 0);
  EXPECT_NE(run.text.find("# TYPE node_softirqs_functions_total counter"), std::string::npos);
}

TEST(SoftirqsCollectorTest, MissingFileIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("softirqs", testing::FixtureFs({})).status.no_data());
}

}  // namespace
}  // namespace hostwatch
