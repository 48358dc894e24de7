#include "collectors/host/tapestats.h"

#include <gtest/gtest.h>

#include "collectors/registry.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(TapestatsParserTest, OnlyStNDevicesAreRead) {
  EXPECT_TRUE(IsTapeDeviceName("st0"));
  EXPECT_TRUE(IsTapeDeviceName("st12"));
  EXPECT_FALSE(IsTapeDeviceName("nst0"));
  EXPECT_FALSE(IsTapeDeviceName("st0l"));
  EXPECT_FALSE(IsTapeDeviceName("st"));
}

TEST(TapestatsParserTest, CountersParseAndUnknownFilesAreIgnored) {
  std::uint64_t errors = 0;
  std::optional<TapeCounters> c =
      ParseTapeStats({{"read_cnt", "12\n"}, {"io_ns", "5"}, {"future_counter", "x"}}, &errors);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(c->read_cnt, 12u);
  EXPECT_EQ(c->io_ns, 5u);
  EXPECT_EQ(c->write_cnt, 0u);
}

TEST(TapestatsParserTest, AGarbageCounterDropsTheDriveAndIsCounted) {
  std::uint64_t errors = 0;
  EXPECT_FALSE(ParseTapeStats({{"read_cnt", "12"}, {"write_cnt", "-1"}}, &errors).has_value());
  EXPECT_EQ(errors, 1u);
}

TEST(TapestatsCollectorTest, ExportsStNDrivesWithNanosecondsAsSeconds) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("tapestats/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("tapestats", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_tape_io_time_seconds_total{device=\"st0\"} 9247.01108772\n"), std::string::npos)
      << run.text;
  EXPECT_EQ(testing::Sample(run.text, "node_tape_written_bytes_total{device=\"st0\"}"), 1496246784000.0);
  EXPECT_EQ(testing::Sample(run.text, "node_tape_reads_completed_total{device=\"st1\"}"), 7);
  EXPECT_EQ(testing::Sample(run.text, "node_tape_io_now{device=\"st1\"}"), 0);
  EXPECT_FALSE(testing::Sample(run.text, "node_tape_io_now{device=\"nst0\"}").has_value());
}

TEST(TapestatsCollectorTest, IgnoredDevicesAreLeftOut) {
  CollectorOptions options = DefaultCollectorOptions();
  ASSERT_TRUE(options.Set("tapestats", "ignored-devices", "^st1$").ok());
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("tapestats/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("tapestats", fs, options);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_TRUE(testing::Sample(run.text, "node_tape_io_now{device=\"st0\"}").has_value());
  EXPECT_FALSE(testing::Sample(run.text, "node_tape_io_now{device=\"st1\"}").has_value());
}

TEST(TapestatsCollectorTest, MissingClassIsNoDataAndAnUnreadableDriveFails) {
  EXPECT_TRUE(testing::RunCollectorOnce("tapestats", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("class/scsi_tape/st0/stats/read_cnt/inner", "a directory where a counter should be\n");
  testing::CollectorRun run = testing::RunCollectorOnce("tapestats", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
