#include "collectors/host/vmstat.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

ProcFs FixtureFs() { return testing::FixtureFs({.procfs = testing::FixturePath("vmstat/proc")}); }

TEST(VmstatParserTest, ParsesNameValuePairsAndCountsBadLines) {
  std::uint64_t errors = 0;
  std::vector<VmstatField> f = ParseVmstat("nr_free_pages 12345\npgfault 5000000\nbroken\npgin x\n", &errors);
  EXPECT_EQ(errors, 2u);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].name, "nr_free_pages");
  EXPECT_DOUBLE_EQ(f[1].value, 5000000);
}

TEST(VmstatCollectorTest, DefaultFieldsMatchNodeExporter) {
  testing::CollectorRun run = testing::RunCollectorOnce("vmstat", FixtureFs());
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);
  // nr_free_pages and pgsteal_kswapd do not match ^(oom_kill|pgpg|pswp|pg.*fault).*
  EXPECT_EQ(run.text,
            "# HELP node_vmstat_oom_kill /proc/vmstat information field oom_kill.\n"
            "# TYPE node_vmstat_oom_kill untyped\nnode_vmstat_oom_kill 1\n"
            "# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.\n"
            "# TYPE node_vmstat_pgfault untyped\nnode_vmstat_pgfault 5e+06\n"
            "# HELP node_vmstat_pgmajfault /proc/vmstat information field pgmajfault.\n"
            "# TYPE node_vmstat_pgmajfault untyped\nnode_vmstat_pgmajfault 77\n"
            "# HELP node_vmstat_pgpgin /proc/vmstat information field pgpgin.\n"
            "# TYPE node_vmstat_pgpgin untyped\nnode_vmstat_pgpgin 100\n"
            "# HELP node_vmstat_pgpgout /proc/vmstat information field pgpgout.\n"
            "# TYPE node_vmstat_pgpgout untyped\nnode_vmstat_pgpgout 200\n"
            "# HELP node_vmstat_pswpin /proc/vmstat information field pswpin.\n"
            "# TYPE node_vmstat_pswpin untyped\nnode_vmstat_pswpin 3\n"
            "# HELP node_vmstat_pswpout /proc/vmstat information field pswpout.\n"
            "# TYPE node_vmstat_pswpout untyped\nnode_vmstat_pswpout 4\n");
}

TEST(VmstatCollectorTest, FieldsOptionIsAnUnanchoredRegex) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("vmstat", "fields", "free").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("vmstat", FixtureFs(), options);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.text,
            "# HELP node_vmstat_nr_free_pages /proc/vmstat information field nr_free_pages.\n"
            "# TYPE node_vmstat_nr_free_pages untyped\nnode_vmstat_nr_free_pages 12345\n");
}

TEST(VmstatCollectorTest, MissingFileIsNoData) {
  ProcFs fs = testing::FixtureFs({});
  EXPECT_TRUE(testing::RunCollectorOnce("vmstat", fs).status.no_data());
}

}  // namespace
}  // namespace hostwatch
