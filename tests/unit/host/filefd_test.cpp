#include "collectors/host/filefd.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

TEST(FilefdParserTest, ParsesAllocatedAndMaximum) {
  Result<FileNr> r = ParseFileNr("1024\t0\t1631329\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r.value().allocated, 1024);
  EXPECT_DOUBLE_EQ(r.value().maximum, 1631329);
}

TEST(FilefdParserTest, RejectsMalformedInput) {
  const char* bad[] = {"", "1024 0", "1024 0 x", "a 0 5", "1 2 3 4", "\n"};
  for (const char* text : bad) {
    EXPECT_FALSE(ParseFileNr(text).ok()) << '"' << text << '"';
  }
}

TEST(FilefdCollectorTest, ExportsFixture) {
  ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("filefd/proc")});
  testing::CollectorRun run = testing::RunCollectorOnce("filefd", fs);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  EXPECT_EQ(run.text,
            "# HELP node_filefd_allocated File descriptor statistics: allocated.\n"
            "# TYPE node_filefd_allocated gauge\nnode_filefd_allocated 2048\n"
            "# HELP node_filefd_maximum File descriptor statistics: maximum.\n"
            "# TYPE node_filefd_maximum gauge\nnode_filefd_maximum 9.223372036854776e+18\n");
}

TEST(FilefdCollectorTest, MissingFileIsNoData) {
  ProcFs fs = testing::FixtureFs({});
  EXPECT_TRUE(testing::RunCollectorOnce("filefd", fs).status.no_data());
}

}  // namespace
}  // namespace hostwatch
