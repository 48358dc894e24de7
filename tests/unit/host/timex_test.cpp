#include "collectors/host/timex.h"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <thread>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// Installs on the calling thread only (prctl's seccomp mode applies to one
// thread) a filter that answers adjtimex and clock_adjtime with EPERM and
// allows everything else: what systemd's ProtectClock=yes does to a service.
// glibc's adjtimex() calls clock_adjtime. Returns errno, 0 on success.
int DenyClockStateOnThisThread() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_adjtimex, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clock_adjtime, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  // no_new_privs is what lets an unprivileged thread install a filter.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    return errno;
  }
  return 0;
}

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

// Issue 16: under the packaged unit's old ProtectClock=yes every scrape got
// EPERM, logged at debug only, so nobody learned why node_timex_* was missing.
TEST(TimexCollectorTest, DeniedReadIsNoDataWarnedOnceNotOnEveryScrape) {
  const ProcFs fs;
  const CollectorOptions options = DefaultCollectorOptions();
  Result<CollectorPtr> made = TimexCollectorSpec().make(CollectorContext{fs, options});
  ASSERT_TRUE(made.ok()) << made.status().message();
  Collector& collector = *made.value();
  int filter_errno = 0;
  Status first, second;
  MetricSink first_sink, second_sink;
  // A thread of its own: the filter cannot be removed and must not reach the
  // other tests in this process.
  std::thread sandboxed([&] {
    filter_errno = DenyClockStateOnThisThread();
    if (filter_errno == 0) {
      first = collector.Collect(first_sink);
      second = collector.Collect(second_sink);
    }
  });
  sandboxed.join();
  ASSERT_EQ(filter_errno, 0) << "cannot install a seccomp filter here: " << std::strerror(filter_errno);

  for (const Status* s : {&first, &second}) {
    EXPECT_TRUE(s->no_data()) << s->message();
    EXPECT_EQ(s->sys_errno(), EPERM) << s->message();
  }
  EXPECT_TRUE(first_sink.empty());
  ASSERT_EQ(first_sink.warnings().size(), 1u);
  const std::string& warning = first_sink.warnings()[0];
  EXPECT_NE(warning.find("adjtimex: Operation not permitted"), std::string::npos) << warning;
  EXPECT_NE(warning.find("ProtectClock"), std::string::npos) << warning;
  EXPECT_NE(warning.find("node_timex_"), std::string::npos) << warning;
  EXPECT_TRUE(second_sink.warnings().empty()) << second_sink.warnings()[0];
}

}  // namespace
}  // namespace hostwatch
