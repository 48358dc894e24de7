#include "collectors/host/timex.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(TimexConvertTest, MicrosecondResolution) {
  RawTimex raw;
  raw.state = 0;            // TIME_OK
  raw.offset = -1500;       // us
  raw.freq = 65536 * 10;    // 10 ppm
  raw.maxerror = 16000000;  // us
  raw.esterror = 500;
  raw.status = 0x1;  // STA_PLL
  raw.constant = 7;
  raw.tick = 10000;
  raw.ppsfreq = 65536;
  raw.jitter = 2000;
  raw.shift = 4;
  raw.stabil = 65536 * 2;
  raw.jitcnt = 1;
  raw.calcnt = 2;
  raw.errcnt = 3;
  raw.stbcnt = 4;
  raw.tai = 37;
  TimexValues v = ConvertTimex(raw);
  EXPECT_EQ(v.sync_status, 1);
  EXPECT_DOUBLE_EQ(v.offset_seconds, -0.0015);
  EXPECT_DOUBLE_EQ(v.frequency_adjustment_ratio, 1.00001);
  EXPECT_DOUBLE_EQ(v.maxerror_seconds, 16);
  EXPECT_DOUBLE_EQ(v.estimated_error_seconds, 0.0005);
  EXPECT_DOUBLE_EQ(v.status, 1);
  EXPECT_DOUBLE_EQ(v.loop_time_constant, 7);
  EXPECT_DOUBLE_EQ(v.tick_seconds, 0.01);
  EXPECT_DOUBLE_EQ(v.pps_frequency_hertz, 1e-6);
  EXPECT_DOUBLE_EQ(v.pps_jitter_seconds, 0.002);
  EXPECT_DOUBLE_EQ(v.pps_shift_seconds, 4);
  EXPECT_DOUBLE_EQ(v.pps_stability_hertz, 2e-6);
  EXPECT_DOUBLE_EQ(v.pps_jitter_total, 1);
  EXPECT_DOUBLE_EQ(v.pps_calibration_total, 2);
  EXPECT_DOUBLE_EQ(v.pps_error_total, 3);
  EXPECT_DOUBLE_EQ(v.pps_stability_exceeded_total, 4);
  EXPECT_DOUBLE_EQ(v.tai_offset_seconds, 37);
}

TEST(TimexConvertTest, NanosecondResolutionAndUnsynchronizedClock) {
  RawTimex raw;
  raw.state = 5;               // TIME_ERROR
  raw.status = 0x2000 | 0x40;  // STA_NANO | STA_UNSYNC
  raw.offset = 1500;
  raw.jitter = 250;
  TimexValues v = ConvertTimex(raw);
  EXPECT_EQ(v.sync_status, 0);
  EXPECT_DOUBLE_EQ(v.offset_seconds, 1.5e-6);
  EXPECT_DOUBLE_EQ(v.pps_jitter_seconds, 2.5e-7);
}

TEST(TimexCollectorTest, ExportsEveryFamilyOnThisHost) {
  testing::CollectorRun run = testing::RunCollectorOnce("timex", ProcFs());
  if (run.status.no_data()) {
    GTEST_SKIP() << "adjtimex not permitted here: " << run.status.message();
  }
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  for (const char* family :
       {"node_timex_sync_status", "node_timex_offset_seconds", "node_timex_frequency_adjustment_ratio",
        "node_timex_maxerror_seconds", "node_timex_estimated_error_seconds", "node_timex_status",
        "node_timex_loop_time_constant", "node_timex_tick_seconds", "node_timex_pps_frequency_hertz",
        "node_timex_pps_jitter_seconds", "node_timex_pps_shift_seconds", "node_timex_pps_stability_hertz",
        "node_timex_pps_jitter_total", "node_timex_pps_calibration_total", "node_timex_pps_error_total",
        "node_timex_pps_stability_exceeded_total", "node_timex_tai_offset_seconds"}) {
    EXPECT_NE(run.text.find(std::string("\n") + family + " "), std::string::npos) << family;
  }
  // USER_HZ-independent sanity: the kernel tick is 1/HZ with HZ between 100 and 1000.
  Result<RawTimex> raw = ReadTimex();
  ASSERT_TRUE(raw.ok());
  EXPECT_GE(raw.value().tick, 1000);
  EXPECT_LE(raw.value().tick, 10000);
}

}  // namespace
}  // namespace hostwatch
