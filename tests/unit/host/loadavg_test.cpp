#include "collectors/host/loadavg.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(LoadavgParserTest, ParsesFirstThreeFields) {
  Result<LoadAverages> r = ParseLoadavg("0.21 0.37 0.39 1/719 19737\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r.value().load1, 0.21);
  EXPECT_DOUBLE_EQ(r.value().load5, 0.37);
  EXPECT_DOUBLE_EQ(r.value().load15, 0.39);
}

TEST(LoadavgParserTest, RejectsMalformedInput) {
  const char* bad[] = {"", "0.21 0.37", "0.21 x 0.39 1/2 3", "\n"};
  for (const char* text : bad) {
    EXPECT_FALSE(ParseLoadavg(text).ok()) << '"' << text << '"';
  }
}

TEST(LoadavgCollectorTest, ExportsNodeExporterFamiliesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("loadavg")});
  testing::CollectorRun run = testing::RunCollectorOnce("loadavg", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.21\n"
            "# HELP node_load15 15m load average.\n# TYPE node_load15 gauge\nnode_load15 0.39\n"
            "# HELP node_load5 5m load average.\n# TYPE node_load5 gauge\nnode_load5 0.37\n");
}

TEST(LoadavgCollectorTest, MissingFileIsNoData) {
  ProcFs fs = testing::FixtureFs({});
  testing::CollectorRun run = testing::RunCollectorOnce("loadavg", fs);
  EXPECT_FALSE(run.status.ok());
  EXPECT_TRUE(run.status.no_data());
}

}  // namespace
}  // namespace hostwatch
