#include "collectors/host/time_collector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>

#include "collectors/core/strings.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// WallClockSeconds must read the real-time clock (not a monotonic one, whose
// epoch is boot) with sub-second precision (node_time_seconds has ns): it lies
// between two system_clock readings taken around it, which fails for a value
// truncated to whole seconds as well as for the wrong clock.
TEST(TimeTest, WallClockIsNow) {
  constexpr double kRounding = 1e-6;  // a double near 1.7e9 s resolves ~0.24 us
  auto system_now = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  int fractional = 0;
  for (int i = 0; i < 5; ++i) {
    const double before = system_now();
    const double wall = WallClockSeconds();
    const double after = system_now();
    EXPECT_GE(wall, before - kRounding);
    EXPECT_LE(wall, after + kRounding);
    fractional += wall != static_cast<double>(static_cast<std::int64_t>(wall)) ? 1 : 0;
  }
  EXPECT_GT(fractional, 0) << "WallClockSeconds() drops the sub-second part";
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
  ProcFs fs = testing::FixtureFs({.sysfs = testing::FixturePath("time/sys")});
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
  ProcFs fs = testing::FixtureFs({});
  testing::CollectorRun run = testing::RunCollectorOnce("time", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_NE(run.text.find("node_time_seconds "), std::string::npos);
  EXPECT_EQ(run.text.find("clocksource"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
