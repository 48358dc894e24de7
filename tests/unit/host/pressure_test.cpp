#include "collectors/host/pressure.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

ProcFs FixtureFs(const std::string& c) {
  return testing::FixtureFs({.procfs = testing::FixturePath("pressure/" + c + "/proc")});
}

TEST(PressureParserTest, ParsesSomeAndFullTotals) {
  std::uint64_t errors = 0;
  PressureTotals t = ParsePressure(
      "some avg10=0.18 avg60=0.34 avg300=0.10 total=159886802\nfull avg10=0.18 avg60=0.34 avg300=0.10 "
      "total=159229614",
      &errors);
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(t.some_us, 159886802u);
  EXPECT_EQ(t.full_us, 159229614u);
}

TEST(PressureParserTest, SkipsAndCountsMalformedLines) {
  const char* bad[] = {"some avg10=0.18\n", "some total=abc\n", "partial total=5\n", "total=5\n"};
  for (const char* line : bad) {
    std::uint64_t errors = 0;
    PressureTotals t = ParsePressure(line, &errors);
    EXPECT_EQ(errors, 1u) << line;
    EXPECT_FALSE(t.some_us || t.full_us) << line;
  }
}

TEST(PressureCollectorTest, ExportsAllResourcesInSeconds) {
  testing::CollectorRun run = testing::RunCollectorOnce("pressure", FixtureFs("all"));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_pressure_cpu_waiting_seconds_total Total time in seconds that processes have waited for "
            "CPU time\n# TYPE node_pressure_cpu_waiting_seconds_total counter\n"
            "node_pressure_cpu_waiting_seconds_total 1.5\n"
            "# HELP node_pressure_io_stalled_seconds_total Total time in seconds no process could make progress due "
            "to IO congestion\n# TYPE node_pressure_io_stalled_seconds_total counter\n"
            "node_pressure_io_stalled_seconds_total 1\n"
            "# HELP node_pressure_io_waiting_seconds_total Total time in seconds that processes have waited due to "
            "IO congestion\n# TYPE node_pressure_io_waiting_seconds_total counter\n"
            "node_pressure_io_waiting_seconds_total 2\n"
            "# HELP node_pressure_irq_stalled_seconds_total Total time in seconds no process could make progress "
            "due to IRQ congestion\n# TYPE node_pressure_irq_stalled_seconds_total counter\n"
            "node_pressure_irq_stalled_seconds_total 0.008494\n"
            "# HELP node_pressure_memory_stalled_seconds_total Total time in seconds no process could make progress "
            "due to memory congestion\n# TYPE node_pressure_memory_stalled_seconds_total counter\n"
            "node_pressure_memory_stalled_seconds_total 4e-06\n"
            "# HELP node_pressure_memory_waiting_seconds_total Total time in seconds that processes have waited for "
            "memory\n# TYPE node_pressure_memory_waiting_seconds_total counter\n"
            "node_pressure_memory_waiting_seconds_total 3e-06\n");
}

TEST(PressureCollectorTest, MissingResourceFilesAreSkipped) {
  testing::CollectorRun run = testing::RunCollectorOnce("pressure", FixtureFs("cpu_only"));
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(testing::Sample(run.text, "node_pressure_cpu_waiting_seconds_total"), 1.5);
  EXPECT_EQ(run.text.find("node_pressure_io"), std::string::npos);
}

TEST(PressureCollectorTest, IoWithoutFullLineIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("pressure", FixtureFs("no_full"));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
}

TEST(PressureCollectorTest, NoPressureDirectoryIsNoData) {
  testing::CollectorRun run = testing::RunCollectorOnce("pressure", FixtureFs("does-not-exist"));
  EXPECT_TRUE(run.status.no_data()) << run.status.message();
  EXPECT_TRUE(run.text.empty());
}

}  // namespace
}  // namespace hostwatch
