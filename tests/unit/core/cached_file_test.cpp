#include "collectors/core/cached_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <future>
#include <thread>

#include "agent/self_metrics.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

std::int64_t ThreadsOf(const std::string& proc_pid_stat) { return ParseProcPidStat(proc_pid_stat).value().num_threads; }

TEST(CachedFileTest, FixtureFileIsReopenedAndShowsInPlaceAndRenameReplacements) {
  testing::TempDir tmp;
  const std::string original = testing::ReadFixture("loadavg/loadavg");
  tmp.Write("loadavg", original);
  CachedFile file(tmp.path() + "/loadavg");
  EXPECT_EQ(file.Read().value(), original);
  // Not procfs or sysfs: no descriptor is kept, so replacements are seen.
  EXPECT_FALSE(file.holds_descriptor());

  tmp.Write("loadavg", "1.00 2.00 3.00 4/5 6\n");
  EXPECT_EQ(file.Read().value(), "1.00 2.00 3.00 4/5 6\n");

  tmp.Write("loadavg.new", "7.00 8.00 9.00 1/2 3\n");
  ASSERT_EQ(std::rename((tmp.path() + "/loadavg.new").c_str(), (tmp.path() + "/loadavg").c_str()), 0);
  EXPECT_EQ(file.Read().value(), "7.00 8.00 9.00 1/2 3\n");
}

TEST(CachedFileTest, MissingFileIsNoDataAndIsFoundOnceItAppears) {
  testing::TempDir tmp;
  CachedFile file(tmp.path() + "/mdstat");
  Result<std::string> missing = file.Read();
  EXPECT_TRUE(missing.status().no_data()) << missing.status().message();
  tmp.Write("mdstat", "Personalities :\n");
  EXPECT_EQ(file.Read().value(), "Personalities :\n");
}

TEST(CachedFileTest, ProcFileKeepsItsDescriptorAndRegeneratesOnEveryRead) {
  CachedFile file("/proc/self/stat");
  const std::int64_t before = ThreadsOf(file.Read().value());
  EXPECT_TRUE(file.holds_descriptor());

  std::promise<void> release;
  std::thread extra([done = release.get_future()]() mutable { done.wait(); });
  EXPECT_EQ(ThreadsOf(file.Read().value()), before + 1);  // same descriptor, fresh content
  EXPECT_TRUE(file.holds_descriptor());
  release.set_value();
  extra.join();
}

TEST(CachedFileTest, ReadErrorOfAFileThatIsStillThereKeepsTheDescriptor) {
  // Offset 0 of /proc/self/mem is unmapped memory: every read fails with EIO,
  // as "speed" of a link that is down fails with EINVAL, without the file
  // going away.
  CachedFile mem("/proc/self/mem");
  Result<std::string> first = mem.Read();
  EXPECT_FALSE(first.ok());
  EXPECT_FALSE(first.status().no_data()) << first.status().message();
  EXPECT_TRUE(mem.holds_descriptor());
  EXPECT_EQ(mem.Read().status().message(), first.status().message());
  EXPECT_TRUE(mem.holds_descriptor());
}

TEST(CachedFileTest, DescriptorOfAVanishedTaskIsDroppedAndTheFileReportedMissing) {
  std::promise<pid_t> tid;
  std::promise<void> release;
  std::thread task([&tid, done = release.get_future()]() mutable {
    tid.set_value(static_cast<pid_t>(::syscall(SYS_gettid)));
    done.wait();
  });
  const std::string dir = "/proc/self/task/" + std::to_string(tid.get_future().get());
  CachedFile file(dir + "/stat");
  ASSERT_TRUE(file.Read().ok());
  ASSERT_TRUE(file.holds_descriptor());
  release.set_value();
  task.join();
  // The thread is reaped shortly after join returns; wait for its directory to go.
  struct stat st;
  while (::stat(dir.c_str(), &st) == 0) {
    std::this_thread::yield();
  }
  // The kept descriptor now fails (ESRCH); the fresh open finds nothing.
  Result<std::string> gone = file.Read();
  EXPECT_TRUE(gone.status().no_data()) << gone.status().message();
  EXPECT_FALSE(file.holds_descriptor());
}

TEST(CachedFileTest, AttributeInADirectoryReadsLikeDirHandleAndKeepsOnlyWhenAllowed) {
  testing::TempDir tmp;
  tmp.Write("eth0/mtu", "1500\n");
  Result<DirHandle> fixture = ProcFs().OpenDir(tmp.path() + "/eth0");
  ASSERT_TRUE(fixture.ok());
  CachedFile mtu("mtu", CachedFile::Kind::kAttribute);
  EXPECT_EQ(mtu.ReadIn(fixture.value(), /*may_keep=*/true).value(), "1500");
  EXPECT_FALSE(mtu.holds_descriptor());  // a fixture tree is read afresh every time
  tmp.Write("eth0/mtu", "9000\n");
  EXPECT_EQ(mtu.ReadIn(fixture.value(), /*may_keep=*/true).value(), "9000");
  CachedFile missing("speed", CachedFile::Kind::kAttribute);
  EXPECT_TRUE(missing.ReadIn(fixture.value(), /*may_keep=*/true).status().no_data());

  Result<DirHandle> lo = ProcFs().OpenDir("/sys/class/net/lo");
  if (!lo.ok()) {
    GTEST_SKIP() << "no /sys/class/net/lo here";
  }
  CachedFile sys_mtu("mtu", CachedFile::Kind::kAttribute);
  EXPECT_EQ(sys_mtu.ReadIn(lo.value(), /*may_keep=*/false).value(), lo.value().ReadAttribute("mtu").value());
  EXPECT_FALSE(sys_mtu.holds_descriptor());
  EXPECT_EQ(sys_mtu.ReadIn(lo.value(), /*may_keep=*/true).value(), lo.value().ReadAttribute("mtu").value());
  EXPECT_TRUE(sys_mtu.holds_descriptor());
  EXPECT_EQ(sys_mtu.ReadIn(lo.value(), /*may_keep=*/true).value(), lo.value().ReadAttribute("mtu").value());
}

TEST(CachedFileTest, MountinfoReportsNoChangeUntilTheMountTableChangesAndAFixtureAlwaysMayHave) {
  CachedFile mountinfo("/proc/self/mountinfo");
  EXPECT_TRUE(mountinfo.MayHaveChanged());  // never read
  ASSERT_TRUE(mountinfo.Read().ok());
  ASSERT_TRUE(mountinfo.holds_descriptor());
  // Nothing mounts or unmounts in this process's namespace meanwhile.
  EXPECT_FALSE(mountinfo.MayHaveChanged());

  testing::TempDir tmp;
  tmp.Write("mountinfo", testing::ReadFixture("filesystem/proc/1/mountinfo"));
  CachedFile fixture(tmp.path() + "/mountinfo");
  ASSERT_TRUE(fixture.Read().ok());
  EXPECT_TRUE(fixture.MayHaveChanged());  // no descriptor kept: read it again
}

TEST(CachedFilesTest, KeepsAtMostItsCapOfDescriptorsAndReadsTheRestThePlainWay) {
  ProcFs fs;
  CachedFiles files(fs);
  const std::vector<std::string> names = {"loadavg", "meminfo", "vmstat",      "stat",      "uptime",      "version",
                                          "cmdline", "swaps",   "filesystems", "self/stat", "self/status", "devices"};
  ASSERT_GT(names.size(), CachedFiles::kMaxFiles);
  const std::size_t fds_before = CountOpenFds(fs, fs.ProcPath("self/fd")).value();
  for (int round = 0; round < 2; ++round) {
    for (const std::string& name : names) {
      Result<std::string> text = files.ReadProc(name);
      ASSERT_TRUE(text.ok()) << name << ": " << text.status().message();
      EXPECT_FALSE(text.value().empty()) << name;
    }
  }
  EXPECT_EQ(CountOpenFds(fs, fs.ProcPath("self/fd")).value(), fds_before + CachedFiles::kMaxFiles);
}

TEST(CachedFilesTest, AttributesAreTrimmedLikeProcFsAndBoundedByTheGivenCap) {
  testing::TempDir tmp;
  tmp.Write("cpu0/online", "1\n");
  tmp.Write("cpu1/online", "0\n");
  ProcFs fs;
  CachedFiles files(fs, /*max_files=*/1);
  EXPECT_EQ(files.ReadAttribute(tmp.path() + "/cpu0/online").value(), "1");
  EXPECT_EQ(files.ReadAttribute(tmp.path() + "/cpu1/online").value(), "0");  // beyond the cap: read plainly
  tmp.Write("cpu0/online", "0\n");
  EXPECT_EQ(files.ReadAttribute(tmp.path() + "/cpu0/online").value(), "0");
  EXPECT_TRUE(files.ReadAttribute(tmp.path() + "/cpu2/online").status().no_data());
}

}  // namespace
}  // namespace hostwatch
