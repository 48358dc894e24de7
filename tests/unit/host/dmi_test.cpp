#include "collectors/host/dmi.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(DmiParserTest, LabelsFollowLabelOrderTrimmedAndValidUtf8) {
  InfoLabels labels = DmiInfoLabels({{"sys_vendor", "Dell Inc."},
                                     {"bios_date", " 04/12/2021\n"},
                                     {"product_version", "\xe3[\xc3"},
                                     {"chassis_type", "3"},
                                     {"uevent", "X=1"}});
  InfoLabels want = {
      {"bios_date", "04/12/2021"}, {"product_version", "\xEF\xBF\xBD[\xEF\xBF\xBD"}, {"system_vendor", "Dell Inc."}};
  EXPECT_EQ(labels, want);
}

TEST(DmiParserTest, NoFilesNoLabels) { EXPECT_TRUE(DmiInfoLabels({}).empty()); }

TEST(DmiCollectorTest, ExportsOneInfoSeriesWithTheFilesPresent) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("dmi/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("dmi", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_dmi_info{bios_date=\"04/12/2021\",bios_vendor=\"Dell Inc.\",chassis_asset_tag=\"\","
                          "product_name=\"PowerEdge R6515\",product_version=\"\xEF\xBF\xBD[\xEF\xBF\xBD\","
                          "system_vendor=\"Dell Inc.\"} 1\n"),
            std::string::npos)
      << run.text;
}

TEST(DmiCollectorTest, MissingDirectoryIsNoData) {
  EXPECT_TRUE(testing::RunCollectorOnce("dmi", testing::FixtureFs({})).status.no_data());
}

TEST(DmiCollectorTest, AFileThatCannotBeReadOtherThanByPermissionIsAnError) {
  testing::TempDir dir;
  dir.Write("class/dmi/id/bios_vendor", "x\n");
  dir.Write("class/dmi/id/board_name/inner", "a directory where a file should be\n");
  testing::CollectorRun run = testing::RunCollectorOnce("dmi", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_NE(run.status.message().find("board_name"), std::string::npos) << run.status.message();
}

}  // namespace
}  // namespace hostwatch
