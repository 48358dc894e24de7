#include "agent/self_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "collectors/core/text_format.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ProcPidStatTest, ParsesFieldsAfterCommandWithSpacesAndParens) {
  // Field 2 is "(my (weird) cmd)"; fields 14,15,20,22,23,24 are what we read.
  std::string stat =
      "1234 (my (weird) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 123456 104857600 2560 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  Result<ProcSelfStat> r = ParseProcPidStat(stat);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().utime_ticks, 250u);
  EXPECT_EQ(r.value().stime_ticks, 50u);
  EXPECT_EQ(r.value().num_threads, 7);
  EXPECT_EQ(r.value().start_ticks, 123456u);
  EXPECT_EQ(r.value().vsize_bytes, 104857600u);
  EXPECT_EQ(r.value().rss_pages, 2560);
}

TEST(ProcPidStatTest, RejectsTruncatedInput) {
  EXPECT_FALSE(ParseProcPidStat("1234 (x) S 1 2 3").ok());
  EXPECT_FALSE(ParseProcPidStat("garbage").ok());
}

TEST(BootTimeTest, FindsBtimeLine) {
  EXPECT_EQ(ParseBootTime("cpu 1 2\nbtime 1418183276\nprocesses 3\n").value(), 1418183276u);
  EXPECT_FALSE(ParseBootTime("cpu 1 2\n").ok());
}

TEST(OpenFdsTest, FallbackCountsTheEntriesOfAFixtureFdDirectory) {
  // What older kernels (st_size 0) go through: a listing of the directory.
  ProcFs fs;
  EXPECT_EQ(CountDirEntries(fs, testing::FixturePath("self_fd/proc/self/fd")), 3u);
  EXPECT_EQ(CountDirEntries(fs, testing::FixturePath("self_fd/proc/self/missing")), std::nullopt);
}

TEST(OpenFdsTest, DirectorySizeAgreesWithTheListingAndFollowsOpenAndClose) {
  ProcFs fs;
  const std::string fd_dir = fs.ProcPath("self/fd");
  if (!OpenFdsFromDirSize(fd_dir)) {
    GTEST_SKIP() << "kernel older than 6.2: /proc/self/fd reports size 0";
  }
  // The listing holds one descriptor of its own while it reads.
  EXPECT_EQ(OpenFdsFromDirSize(fd_dir), CountDirEntries(fs, fd_dir).value() - 1);
  const std::size_t before = CountOpenFds(fs, fd_dir).value();
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(CountOpenFds(fs, fd_dir), before + 1);
  ::close(fd);
  EXPECT_EQ(CountOpenFds(fs, fd_dir), before);
}

TEST(SelfMetricsTest, ExportsProcessFamiliesForThisProcess) {
  SelfMetrics self;
  MetricSink sink;
  self.Collect(sink);
  std::string text = SerializeText(sink.TakeFamilies());
  for (const char* name : {"hostwatch_build_info{", "process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_virtual_memory_bytes ", "process_open_fds ", "process_max_fds ",
                           "process_start_time_seconds ", "process_threads "}) {
    EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name << "\n" << text;
  }
}

}  // namespace
}  // namespace hostwatch
