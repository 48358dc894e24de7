#include "collectors/host/sysctl.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(SysctlEntriesTest, NamesAndFieldNamesInNodeExporterSyntaxSeparatedBySpaces) {
  Result<std::vector<SysctlEntry>> e = ParseSysctlEntries(" fs.file-nr  fs.file-nr:total,current,max\tkernel.x ", true);
  ASSERT_TRUE(e.ok()) << e.status().message();
  ASSERT_EQ(e.value().size(), 3u);
  EXPECT_EQ(e.value()[0].name, "fs.file-nr");
  EXPECT_TRUE(e.value()[0].keys.empty());
  EXPECT_EQ(e.value()[1].keys, (std::vector<std::string>{"total", "current", "max"}));
  EXPECT_EQ(e.value()[2].name, "kernel.x");
  EXPECT_TRUE(ParseSysctlEntries("", false).value().empty());
  Result<std::vector<SysctlEntry>> bad = ParseSysctlEntries("fs.file-nr :a,b", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":a,b"), std::string::npos);
}

TEST(SysctlEntriesTest, MetricNameAndProcPath) {
  EXPECT_EQ(SysctlMetricName("fs.file-nr"), "fs_file_nr");
  EXPECT_EQ(SysctlMetricName("kernel.threads-max"), "kernel_threads_max");
  EXPECT_EQ(SysctlMetricName("net.ipv4.conf.all_._x"), "net_ipv4_conf_all_x");  // runs collapse, as upstream
  EXPECT_EQ(SysctlProcPath("kernel.seccomp.actions_avail"), "sys/kernel/seccomp/actions_avail");
}

testing::CollectorRun RunWith(std::string_view include, std::string_view include_info) {
  CollectorOptions options = DefaultCollectorOptions();
  EXPECT_TRUE(options.Set("sysctl", "include", include).ok());
  EXPECT_TRUE(options.Set("sysctl", "include-info", include_info).ok());
  return testing::RunCollectorOnce(
      "sysctl", testing::FixtureFs({.procfs = testing::FixturePath("sysctl/proc")}), options);
}

TEST(SysctlCollectorTest, SingleIndexedMappedAndInfoSeries) {
  testing::CollectorRun run =
      RunWith("kernel.threads-max fs.file-nr fs.file-nr:total,current,max", "kernel.seccomp.actions_avail");
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_sysctl_kernel_threads_max"), 7801);
  EXPECT_NE(run.text.find("# HELP node_sysctl_kernel_threads_max sysctl kernel.threads-max\n"
                          "# TYPE node_sysctl_kernel_threads_max untyped"),
            std::string::npos);
  EXPECT_EQ(testing::Sample(run.text, "node_sysctl_fs_file_nr{index=\"2\"}"), 1631329);
  EXPECT_EQ(testing::Sample(run.text, "node_sysctl_fs_file_nr_max"), 1631329);
  EXPECT_NE(run.text.find("# HELP node_sysctl_fs_file_nr_current sysctl fs.file-nr, field 1"), std::string::npos);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_sysctl_info{index=\"1\",name=\"kernel.seccomp.actions_avail\",value=\"kill_thread\"}"),
            1);
}

TEST(SysctlCollectorTest, NothingConfiguredSucceedsWithNoSeries) {
  testing::CollectorRun run = RunWith("", "");
  EXPECT_TRUE(run.status.ok());
  EXPECT_EQ(run.text.find("node_sysctl"), std::string::npos);
}

TEST(SysctlCollectorTest, MisfitsAreErrorsNamingTheSysctl) {
  for (auto [include, info] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"kernel.nope", ""},                          // missing
           {"kernel.seccomp.actions_avail", ""},         // not numeric
           {"kernel.empty", ""},                         // no values
           {"kernel.threads-max:a,b", ""},               // one value, two names
           {"fs.file-nr:a,b", ""},                       // three values, two names
           {"", "net.ipv4.tcp_allowed_congestion_control:a,b"}}) {  // names on text values
    testing::CollectorRun run = RunWith(include, info);
    EXPECT_FALSE(run.status.ok()) << include << info;
    EXPECT_FALSE(run.status.no_data()) << include << info;
    EXPECT_NE(run.status.message().find("sysctl "), std::string::npos) << run.status.message();
  }
}

TEST(SysctlCollectorTest, AnEntryWithoutNameStopsTheBuild) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("sysctl", "include-info", ":x").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("sysctl", testing::FixtureFs({}), options);
  EXPECT_FALSE(run.status.ok());
  EXPECT_NE(run.status.message().find("collector.sysctl.include-info"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
