#include "collectors/host/interrupts.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(InterruptsParserTest, SplitsNumberedAndNamedLines) {
  std::uint64_t errors = 0;
  auto irqs = ParseInterrupts(
      "           CPU0       CPU1\n"
      " 16:     328511     0  IR-IO-APIC-fasteoi   ehci_hcd:usb1, mmc0\n"
      "NMI:         47        5   Non-maskable interrupts\n"
      "ERR:          0\n",
      &errors);
  EXPECT_EQ(errors, 0u);
  ASSERT_EQ(irqs.size(), 2u);
  EXPECT_EQ(irqs["16"].info, "IR-IO-APIC-fasteoi");
  EXPECT_EQ(irqs["16"].devices, "ehci_hcd:usb1, mmc0");
  EXPECT_EQ(irqs["16"].per_cpu, (std::vector<double>{328511, 0}));
  EXPECT_EQ(irqs["NMI"].info, "Non-maskable interrupts");
  EXPECT_EQ(irqs["NMI"].devices, "");
}

TEST(InterruptsParserTest, NoSpaceAfterTheColonOnAarch64) {
  std::uint64_t errors = 0;
  auto irqs = ParseInterrupts("  CPU0\nIPI0:12 Rescheduling interrupts\n", &errors);
  ASSERT_EQ(irqs.count("IPI0"), 1u);
  EXPECT_EQ(irqs["IPI0"].per_cpu, std::vector<double>{12});
  EXPECT_EQ(irqs["IPI0"].info, "Rescheduling interrupts");
}

TEST(InterruptsParserTest, SkipsAndCountsLinesWithBadCounts) {
  std::uint64_t errors = 0;
  auto irqs = ParseInterrupts("  CPU0 CPU1\n  1: 5 x edge i8042\n  2: 1 2 edge rtc\n: 1 2 nameless\n", &errors);
  EXPECT_EQ(errors, 2u);
  EXPECT_EQ(irqs.size(), 1u);
  EXPECT_EQ(irqs.count("2"), 1u);
}

TEST(InterruptsCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("interrupts/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("interrupts", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 0u);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_interrupts_total{cpu=\"0\",devices=\"ehci_hcd:usb1, mmc0\","
                            "info=\"IR-IO-APIC-fasteoi\",type=\"16\"}"),
            328511);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_interrupts_total{cpu=\"3\",devices=\"\",info=\"Machine check polls\","
                            "type=\"MCP\"}"),
            2399);
  EXPECT_EQ(run.text.find("type=\"ERR\""), std::string::npos);
}

TEST(InterruptsCollectorTest, NameFilterAndZerosOption) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("interrupts/proc")});
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("interrupts", "name-include", "^(MCP|TRM);").ok());
  ASSERT_TRUE(options.Set("interrupts", "include-zeros", "false").ok());
  testing::CollectorRun run = testing::RunCollectorOnce("interrupts", fs, options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text,
                            "node_interrupts_total{cpu=\"0\",devices=\"\",info=\"Machine check polls\","
                            "type=\"MCP\"}"),
            2406);
  EXPECT_EQ(run.text.find("TRM"), std::string::npos) << "all zero";
  EXPECT_EQ(run.text.find("type=\"LOC\""), std::string::npos) << "not included";
}

TEST(InterruptsCollectorTest, IncludeAndExcludeTogetherIsAnError) {
  ProcFs fs = testing::FixtureFs({});
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("interrupts", "name-include", "a").ok());
  ASSERT_TRUE(options.Set("interrupts", "name-exclude", "b").ok());
  EXPECT_FALSE(testing::RunCollectorOnce("interrupts", fs, options).status.ok());
}

TEST(InterruptsCollectorTest, MissingFileIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("interrupts", testing::FixtureFs({}));
  EXPECT_TRUE(run.status.no_data());
}

}  // namespace
}  // namespace hostwatch
