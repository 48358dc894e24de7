#include "collectors/core/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "collectors/core/proc_fs.h"

namespace hostwatch {
namespace {

TEST(StatusTest, OkCarriesNothing) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_FALSE(s.no_data());
  EXPECT_EQ(s.sys_errno(), 0);
  EXPECT_TRUE(s.message().empty());
}

TEST(StatusTest, ErrorHasNoErrno) {
  Status s = Status::Error("bad line");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.no_data());
  EXPECT_EQ(s.message(), "bad line");
  EXPECT_EQ(s.sys_errno(), 0);
  EXPECT_FALSE(s.IsNotSupported());
  EXPECT_FALSE(s.IsNotFound());
}

TEST(StatusTest, FromErrnoKeepsTheCodeAndNamesIt) {
  Status s = Status::FromErrno(EOPNOTSUPP, "read /proc/pressure/cpu");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.no_data());
  EXPECT_EQ(s.sys_errno(), EOPNOTSUPP);
  EXPECT_TRUE(s.IsNotSupported());
  EXPECT_FALSE(s.IsNotFound());
  EXPECT_EQ(s.message(), std::string("read /proc/pressure/cpu: ") + std::strerror(EOPNOTSUPP));
}

// The decision must not depend on the words: an Error whose message merely
// ends like strerror(EOPNOTSUPP) is not "not supported".
TEST(StatusTest, MessageTextDoesNotMakeACode) {
  Status s = Status::Error(std::string("custom: ") + std::strerror(EOPNOTSUPP));
  EXPECT_FALSE(s.IsNotSupported());
}

TEST(StatusTest, NoDataMayCarryAnErrno) {
  Status s = Status::NoData("open /x: missing", ENOENT);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.no_data());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(Status::NoData("no lines").sys_errno(), 0);
}

TEST(StatusTest, ResultCarriesTheStatusCode) {
  Result<int> r = Status::FromErrno(EACCES, "open x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().sys_errno(), EACCES);
  EXPECT_EQ(Result<int>(3).status().sys_errno(), 0);
}

TEST(FileErrnoStatusTest, MissingFileIsNoDataWithEnoent) {
  Status s = FileErrnoStatus("open", "/nonexistent/file", ENOENT);
  EXPECT_TRUE(s.no_data());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), std::string("open /nonexistent/file: ") + std::strerror(ENOENT));
}

TEST(FileErrnoStatusTest, OtherErrorsAreErrorsWithTheirErrno) {
  Status s = FileErrnoStatus("read", "/proc/pressure/io", EOPNOTSUPP);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.no_data());
  EXPECT_TRUE(s.IsNotSupported());
}

TEST(FileErrnoStatusTest, ProcFsReadOfAMissingFileCarriesEnoent) {
  Result<std::string> r = ProcFs().ReadFile("/nonexistent/hostwatch/file");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().no_data());
  EXPECT_EQ(r.status().sys_errno(), ENOENT);
}

}  // namespace
}  // namespace hostwatch
