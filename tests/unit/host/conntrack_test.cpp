#include "collectors/host/conntrack.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ConntrackParserTest, SumsHexColumnsOverCpus) {
  std::uint64_t errors = 0;
  ConntrackStat st = ParseConntrackStat(testing::ReadFixture("conntrack/proc/net/stat/nf_conntrack"), &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_DOUBLE_EQ(st.found, 30);
  EXPECT_DOUBLE_EQ(st.invalid, 48);
  EXPECT_DOUBLE_EQ(st.ignore, 768);
  EXPECT_DOUBLE_EQ(st.insert, 2);
  EXPECT_DOUBLE_EQ(st.insert_failed, 4);
  EXPECT_DOUBLE_EQ(st.drop, 6);
  EXPECT_DOUBLE_EQ(st.early_drop, 8);
  EXPECT_DOUBLE_EQ(st.search_restart, 15);
}

TEST(ConntrackParserTest, SkipsAndCountsMalformedRows) {
  const std::string good = "00000001  00000000 00000001 0 0 0 0 0 0 0 0 0 0  0 0 0 00000001\n";
  const char* bad[] = {
      "00000001 00000002\n",                                         // too few columns
      "00000001  00000000 0000000g 0 0 0 0 0 0 0 0 0 0  0 0 0 1\n",  // not hex
      "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n",              // too many columns
      "-0000001  00000000 00000001 0 0 0 0 0 0 0 0 0 0  0 0 0 1\n",  // sign
  };
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    ConntrackStat st = ParseConntrackStat("entries found\n" + good + line + good, &errors);
    EXPECT_EQ(errors, 1u) << line;
    EXPECT_DOUBLE_EQ(st.found, 2) << line;
    EXPECT_DOUBLE_EQ(st.search_restart, 2) << line;
  }
}

TEST(ConntrackParserTest, EmptyInputGivesZeros) {
  std::uint64_t errors = 0;
  ConntrackStat st = ParseConntrackStat("", &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_DOUBLE_EQ(st.ignore, 0);
}

ProcFs FixtureFs(const std::string& proc) { return testing::FixtureFs({.procfs = proc}); }

TEST(ConntrackCollectorTest, ExportsFixture) {
  testing::CollectorRun run = testing::RunCollectorOnce("conntrack", FixtureFs(testing::FixturePath("conntrack/proc")));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_NE(run.text.find("# HELP node_nf_conntrack_entries Number of currently allocated flow entries for "
                          "connection tracking.\n# TYPE node_nf_conntrack_entries gauge\nnode_nf_conntrack_entries "
                          "4711\n"),
            std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_nf_conntrack_entries_limit"), 262144) << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_nf_conntrack_stat_ignore"), 768) << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_nf_conntrack_stat_search_restart"), 15) << run.text;
}

TEST(ConntrackCollectorTest, ModuleNotLoadedIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("conntrack", FixtureFs("/nonexistent-proc"));
  EXPECT_TRUE(run.status.no_data());
  EXPECT_EQ(run.text, "");
  EXPECT_EQ(run.parse_errors, 0u);
}

TEST(ConntrackCollectorTest, MalformedCountFails) {
  testing::CollectorRun run =
      testing::RunCollectorOnce("conntrack", FixtureFs(testing::FixturePath("conntrack/malformed/proc")));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.parse_errors, 1u);
}

}  // namespace
}  // namespace hostwatch
