#include "collectors/host/nvme.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using ::testing::HasSubstr;

TEST(NvmeParserTest, NamespaceIdFromEntryName) {
  EXPECT_EQ(NvmeNamespaceId("nvme0n1"), "1");
  EXPECT_EQ(NvmeNamespaceId("nvme12n34"), "34");
  // procfs' regexp is not anchored.
  EXPECT_EQ(NvmeNamespaceId("xnvme1n2p3"), "2");
  for (const char* other : {"ng0n1", "nvme0c0", "nvme0", "power", "model", "nvmen1", "nvme0n", ""}) {
    EXPECT_EQ(NvmeNamespaceId(other), std::nullopt) << other;
  }
}

TEST(NvmeParserTest, BadCountIsZeroAndCounted) {
  std::uint64_t errors = 0;
  EXPECT_EQ(ParseNvmeCount("1953525168", &errors), 1953525168u);
  EXPECT_EQ(ParseNvmeCount("18446744073709551615", &errors), 18446744073709551615u);
  EXPECT_EQ(errors, 0u);
  for (const char* bad : {"", "-1", "+1", "0x10", "1.5", "garbage", "18446744073709551616"}) {
    EXPECT_EQ(ParseNvmeCount(bad, &errors), 0u) << bad;
  }
  EXPECT_EQ(errors, 7u);
}

testing::CollectorRun RunOn(const std::string& tree) {
  return testing::RunCollectorOnce("nvme",
                                   testing::FixtureFs({.sysfs = testing::FixturePath("nvme/" + tree + "/sys")}));
}

TEST(NvmeCollectorTest, ExportsControllerAndNamespaces) {
  testing::CollectorRun run = RunOn("two_namespaces");
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.parse_errors, 1u);  // nvme0n2's nuse
  // Values trimmed (model and serial are space padded); ng0n1 and power are not namespaces.
  EXPECT_THAT(run.text, HasSubstr("node_nvme_info{cntlid=\"0\",device=\"nvme0\",firmware_revision=\"GDC5602Q\","
                                  "model=\"INTEL SSDPE2KX010T8\",serial=\"PHLJ0123004X1P0FGN\",state=\"live\"} 1\n"));
  EXPECT_THAT(run.text, HasSubstr("node_nvme_namespace_info{ana_state=\"optimized\",device=\"nvme0\",nsid=\"1\"} 1\n"
                                  "node_nvme_namespace_info{ana_state=\"unknown\",device=\"nvme0\",nsid=\"2\"} 1\n"));
  // size and nuse are multiplied by the logical block size, as procfs does.
  EXPECT_THAT(run.text, HasSubstr("node_nvme_namespace_size_bytes{device=\"nvme0\",nsid=\"1\"} 1.000204886016e+12\n"
                                  "node_nvme_namespace_size_bytes{device=\"nvme0\",nsid=\"2\"} 4.096e+06\n"));
  EXPECT_THAT(run.text,
              HasSubstr("node_nvme_namespace_capacity_bytes{device=\"nvme0\",nsid=\"1\"} 1.000204886016e+12\n"));
  EXPECT_THAT(run.text, HasSubstr("node_nvme_namespace_used_bytes{device=\"nvme0\",nsid=\"1\"} 1.34217728e+08\n"
                                  "node_nvme_namespace_used_bytes{device=\"nvme0\",nsid=\"2\"} 0\n"));
  EXPECT_THAT(run.text,
              HasSubstr("node_nvme_namespace_logical_block_size_bytes{device=\"nvme0\",nsid=\"2\"} 4096\n"));
  EXPECT_THAT(run.text, ::testing::Not(HasSubstr("nsid=\"0\"")));
}

TEST(NvmeCollectorTest, NoNvmeClassIsNoData) {
  testing::CollectorRun run = RunOn("no_class");
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_THAT(run.status.message(), HasSubstr("class/nvme"));
}

// procfs fails the whole class when a controller attribute is missing, and
// node_exporter reports that not-exist error as no data.
TEST(NvmeCollectorTest, MissingControllerAttributeIsNoData) {
  testing::CollectorRun run = RunOn("missing_cntlid");
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_THAT(run.status.message(), HasSubstr("nvme1/cntlid"));
  EXPECT_TRUE(run.text.empty());
}

TEST(NvmeCollectorTest, UnreadableAttributeIsAnError) {
  testing::CollectorRun run = RunOn("broken_model");
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data()) << run.status.message();
  EXPECT_THAT(run.status.message(), HasSubstr("nvme0/model"));
}

}  // namespace
}  // namespace hostwatch
