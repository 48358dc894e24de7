#include "collectors/host/time_collector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "collectors/core/strings.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(TimeTest, WallClockIsNow) {
  double expected = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(WallClockSeconds(), expected, 1.0);
}

TEST(TimeTest, ZoneOffsetFollowsTz) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  ZoneOffset utc = LocalZoneOffset(1700000000);
  ::setenv("TZ", "XYZ-3", 1);  // POSIX TZ: 3 hours east of UTC, named XYZ
  ::tzset();
  ZoneOffset east = LocalZoneOffset(1700000000);
  if (old) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  EXPECT_EQ(utc.name, "UTC");
  EXPECT_EQ(utc.offset_seconds, 0);
  EXPECT_EQ(east.name, "XYZ");
  EXPECT_EQ(east.offset_seconds, 3 * 3600);
}

TEST(TimeTest, ParsesClocksourceLists) {
  EXPECT_EQ(ParseClocksources("tsc hpet acpi_pm \n"), (std::vector<std::string>{"tsc", "hpet", "acpi_pm"}));
  EXPECT_TRUE(ParseClocksources("\n").empty());
}

TEST(TimeCollectorTest, ExportsClocksourcesFromSysfs) {
  ProcFs fs(FsRoots{"/nonexistent", testing::FixturePath("time/sys"), "/nonexistent", "/nonexistent"});
  testing::CollectorRun run = testing::RunCollectorOnce("time", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("# HELP node_time_clocksource_available_info Available clocksources read from "
                          "'/sys/devices/system/clocksource'.\n# TYPE node_time_clocksource_available_info gauge\n"
                          "node_time_clocksource_available_info{clocksource=\"acpi_pm\",device=\"0\"} 1\n"
                          "node_time_clocksource_available_info{clocksource=\"hpet\",device=\"0\"} 1\n"
                          "node_time_clocksource_available_info{clocksource=\"tsc\",device=\"0\"} 1\n"
                          "# HELP node_time_clocksource_current_info Current clocksource read from "
                          "'/sys/devices/system/clocksource'.\n# TYPE node_time_clocksource_current_info gauge\n"
                          "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"} 1\n"),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("# HELP node_time_seconds System time in seconds since epoch (1970).\n"), std::string::npos);
  EXPECT_NE(run.text.find("node_time_zone_offset_seconds{time_zone=\""), std::string::npos);
}

TEST(TimeCollectorTest, MissingClocksourceDirectoryStillExportsTime) {
  ProcFs fs(FsRoots{"/nonexistent", "/nonexistent-sys", "/nonexistent", "/nonexistent"});
  testing::CollectorRun run = testing::RunCollectorOnce("time", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_time_seconds "), std::string::npos);
  EXPECT_EQ(run.text.find("clocksource"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
