#include "collectors/host/cpu_vulnerabilities.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(CpuVulnerabilitiesParserTest, StateIsThePrefixAndMitigationTheRest) {
  struct Case {
    std::string_view content, state, mitigation;
  } cases[] = {
      {"Not affected\n", "not affected", ""},
      {"Not affected: whatever follows\n", "not affected", ""},
      {"Vulnerable\n", "vulnerable", ""},
      {"Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable\n", "vulnerable",
       "Clear CPU buffers attempted, no microcode; SMT vulnerable"},
      {"Mitigation: PTI\n", "mitigation", "PTI"},
      {"mitigation:  Retpolines,\tIBPB: conditional\n", "mitigation", "Retpolines, IBPB: conditional"},
      {"Unknown: Dependent on hypervisor status\n", "unknown", "Dependent on hypervisor status"},
      {"KVM: Mitigation: VMX disabled\n", "unknown", "KVM: Mitigation: VMX disabled"},
      {"", "unknown", ""},
  };
  for (const Case& c : cases) {
    CpuVulnerability v = ParseCpuVulnerability("x", c.content);
    EXPECT_EQ(v.codename, "x");
    EXPECT_EQ(v.state, c.state) << c.content;
    EXPECT_EQ(v.mitigation, c.mitigation) << c.content;
  }
}

TEST(CpuVulnerabilitiesCollectorTest, OneInfoSeriesPerFileFromFixture) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("cpu_vulnerabilities/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("cpu_vulnerabilities", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text,
                            "node_cpu_vulnerabilities_info{codename=\"meltdown\",mitigation=\"PTI\","
                            "state=\"mitigation\"}"),
            1);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_cpu_vulnerabilities_info{codename=\"itlb_multihit\",mitigation=\"\","
                            "state=\"not affected\"}"),
            1);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_cpu_vulnerabilities_info{codename=\"l1tf\",mitigation=\"KVM: "
                            "Mitigation: VMX disabled\",state=\"unknown\"}"),
            1);
  std::size_t series = 0;
  for (std::string_view line : SplitLines(run.text)) {
    series += line.starts_with("node_cpu_vulnerabilities_info{");
  }
  EXPECT_EQ(series, 6u);
}

TEST(CpuVulnerabilitiesCollectorTest, MissingDirectoryIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("cpu_vulnerabilities", testing::FixtureFs({})).status.no_data());
}

TEST(CpuVulnerabilitiesCollectorTest, UnreadableEntryFailsTheScrape) {
  testing::TempDir tmp;
  tmp.Write("devices/system/cpu/vulnerabilities/meltdown", "Mitigation: PTI\n");
  tmp.Write("devices/system/cpu/vulnerabilities/odd/file", "x\n");  // a directory where a file belongs
  testing::CollectorRun run =
      testing::RunCollectorOnce("cpu_vulnerabilities", testing::FixtureFs({.sysfs = tmp.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("vulnerabilities/odd"), std::string::npos) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
