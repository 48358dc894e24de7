#include "collectors/core/proc_fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(ProcFsTest, ReadAttributeStripsNewlineAndReadsLongValuesWhole) {
  testing::TempDir tmp;
  tmp.Write("short", "1500\n");
  // Longer than the 8 KiB read buffer: the one-read shortcut must not cut it.
  std::string long_value(20000, 'x');
  tmp.Write("long", long_value + "\n");
  ProcFs fs;
  EXPECT_EQ(fs.ReadAttribute(tmp.path() + "/short").value(), "1500");
  EXPECT_EQ(fs.ReadAttribute(tmp.path() + "/long").value(), long_value);
  Result<DirHandle> dir = fs.OpenDir(tmp.path());
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  EXPECT_EQ(dir.value().ReadAttribute("short").value(), "1500");
  EXPECT_EQ(dir.value().ReadAttribute("long").value(), long_value);
  EXPECT_EQ(dir.value().ReadFile("short").value(), "1500\n");
}

// ReadFromStart is the loop under ProcFs and CachedFile: it reads from offset
// 0 whatever the descriptor's position, so a kept descriptor re-reads the
// whole current content, and it reads files longer than its buffer whole.
TEST(ReadFromStartTest, RereadsAKeptDescriptorFromOffsetZero) {
  testing::TempDir tmp;
  std::string big(20000, 'y');
  tmp.Write("f", big);
  int fd = ::open((tmp.path() + "/f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::string out = "stale";
  EXPECT_EQ(ReadFromStart(fd, FileKind::kFile, &out), 0);
  EXPECT_EQ(out, big);
  EXPECT_EQ(ReadFromStart(fd, FileKind::kFile, &out), 0);
  EXPECT_EQ(out, big) << "second read must start at 0 again, not append";
  tmp.Write("f", "changed in place\n");  // same inode, truncated and rewritten
  EXPECT_EQ(ReadFromStart(fd, FileKind::kAttribute, &out), 0);
  EXPECT_EQ(out, "changed in place");
  ::close(fd);
}

TEST(ReadFromStartTest, ReportsTheErrnoOfAFailedRead) {
  testing::TempDir tmp;
  int fd = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::string out;
  EXPECT_EQ(ReadFromStart(fd, FileKind::kFile, &out), EISDIR);
  ::close(fd);
}

TEST(ProcFsTest, ReadFileErrorCarriesErrno) {
  testing::TempDir tmp;
  Result<std::string> r = ProcFs().ReadFile(tmp.path());  // a directory: open works, read fails
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().no_data());
  EXPECT_EQ(r.status().sys_errno(), EISDIR);
}

TEST(ProcFsTest, DirHandleOpensRelativeNamesAndReportsMissingAsNoData) {
  testing::TempDir tmp;
  tmp.Write("eth0/mtu", "9000\n");
  tmp.Write("bonding_masters", "bond0\n");
  ASSERT_EQ(::symlink("eth0", (tmp.path() + "/link0").c_str()), 0);
  Result<DirHandle> root = ProcFs().OpenDir(tmp.path());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root.value().ReadAttribute("eth0/mtu").value(), "9000");

  Result<DirHandle> link = root.value().OpenDir("link0");  // symbolic links are followed
  ASSERT_TRUE(link.ok()) << link.status().message();
  EXPECT_EQ(link.value().ReadAttribute("mtu").value(), "9000");
  EXPECT_EQ(link.value().path(), tmp.path() + "/link0");

  Result<DirHandle> file_as_dir = root.value().OpenDir("bonding_masters");
  EXPECT_TRUE(file_as_dir.status().no_data()) << file_as_dir.status().message();
  Result<std::string> missing = root.value().ReadAttribute("eth0/nope");
  EXPECT_TRUE(missing.status().no_data());
  EXPECT_NE(missing.status().message().find(tmp.path() + "/eth0/nope"), std::string::npos);
  EXPECT_TRUE(ProcFs().OpenDir(tmp.path() + "/absent").status().no_data());
}

TEST(ProcFsTest, DirHandleListsFromTheStartEveryTime) {
  testing::TempDir tmp;
  tmp.Write("b", "");
  tmp.Write("a", "");
  Result<DirHandle> dir = ProcFs().OpenDir(tmp.path());
  ASSERT_TRUE(dir.ok());
  std::vector<std::string> want = {"a", "b"};
  EXPECT_EQ(dir.value().List().value(), want);
  EXPECT_EQ(dir.value().List().value(), want);
}

TEST(ProcFsTest, IdentityTellsReplacedFilesApart) {
  testing::TempDir tmp;
  tmp.Write("data", "E:A=1\n");
  Result<DirHandle> dir = ProcFs().OpenDir(tmp.path());
  ASSERT_TRUE(dir.ok());
  FileIdentity before = dir.value().StatFile("data").value();
  EXPECT_EQ(dir.value().StatFile("data").value(), before);
  // Written aside and renamed over, as udevd does: a new inode.
  tmp.Write("data.new", "E:A=2\n");
  ASSERT_EQ(::rename((tmp.path() + "/data.new").c_str(), (tmp.path() + "/data").c_str()), 0);
  EXPECT_NE(dir.value().StatFile("data").value(), before);
  EXPECT_TRUE(dir.value().StatFile("gone").status().no_data());
  EXPECT_EQ(dir.value().Identity().value().ino, ProcFs().OpenDir(tmp.path()).value().Identity().value().ino);
}

}  // namespace
}  // namespace hostwatch
