#include "collectors/host/watchdog.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(WatchdogParserTest, NumbersParseLikeGoAndStringsAreKept) {
  std::uint64_t errors = 0;
  WatchdogDevice d = ParseWatchdogAttributes(
      "watchdog0", {{"timeout", "60\n"}, {"bootstatus", "0x20"}, {"nowayout", "zero"}, {"state", "inactive\n"}},
      &errors);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(d.timeout, 60);
  EXPECT_EQ(d.bootstatus, 32);
  EXPECT_FALSE(d.nowayout.has_value());
  EXPECT_FALSE(d.timeleft.has_value());
  EXPECT_EQ(d.state, "inactive");
  EXPECT_FALSE(d.identity.has_value());
}

TEST(WatchdogCollectorTest, ExportsNodeExporterSeriesFromFixture) {
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("watchdog/sys")});
  testing::CollectorRun run = testing::RunCollectorOnce("watchdog", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_watchdog_timeout_seconds{name=\"watchdog0\"}"), 60);
  EXPECT_EQ(testing::Sample(run.text, "node_watchdog_pretimeout_seconds{name=\"watchdog0\"}"), 120);
  EXPECT_EQ(testing::Sample(run.text, "node_watchdog_access_cs0{name=\"watchdog0\"}"), 0);
  EXPECT_EQ(testing::Sample(run.text,
                            "node_watchdog_info{identity=\"Software Watchdog\",name=\"watchdog0\","
                            "options=\"0x8380\",pretimeout_governor=\"noop\",state=\"active\","
                            "status=\"0x8000\"}"),
            1);
  // A device without attributes still has its info series, with empty labels.
  EXPECT_EQ(testing::Sample(run.text,
                            "node_watchdog_info{identity=\"\",name=\"watchdog1\",options=\"\","
                            "pretimeout_governor=\"\",state=\"\",status=\"\"}"),
            1);
  EXPECT_FALSE(testing::Sample(run.text, "node_watchdog_timeout_seconds{name=\"watchdog1\"}").has_value());
}

TEST(WatchdogCollectorTest, MissingClassIsNoDataAndEmptyClassSucceeds) {
  EXPECT_TRUE(testing::RunCollectorOnce("watchdog", testing::FixtureFs({})).status.no_data());
  testing::TempDir dir;
  dir.Write("class/watchdog/.keep", "");
  testing::CollectorRun run = testing::RunCollectorOnce("watchdog", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_TRUE(run.status.ok()) << run.status.message();
}

TEST(WatchdogCollectorTest, AnAttributeThatFailsToReadFailsTheScrape) {
  testing::TempDir dir;
  dir.Write("class/watchdog/watchdog0/timeout", "60\n");
  dir.Write("class/watchdog/watchdog0/state/inner", "a directory where a file should be\n");
  testing::CollectorRun run = testing::RunCollectorOnce("watchdog", testing::FixtureFs({.sysfs = dir.path()}));
  EXPECT_FALSE(run.status.ok());
  EXPECT_FALSE(run.status.no_data());
  EXPECT_EQ(run.text, "");
}

}  // namespace
}  // namespace hostwatch
