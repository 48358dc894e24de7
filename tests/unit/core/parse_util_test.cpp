#include "collectors/core/parse_util.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using Fields = std::vector<std::string_view>;

TEST(SplitFieldsTest, SplitsOnRunsOfSpacesAndTabsAndDropsEmptyFields) {
  EXPECT_EQ(SplitFields("MemTotal:       16310376 kB"), (Fields{"MemTotal:", "16310376", "kB"}));
  EXPECT_EQ(SplitFields("  \t leading\tand trailing \t "), (Fields{"leading", "and", "trailing"}));
  EXPECT_EQ(SplitFields("one"), (Fields{"one"}));
  EXPECT_EQ(SplitFields(""), Fields{});
  EXPECT_EQ(SplitFields(" \t  "), Fields{});
}

TEST(SplitFieldsTest, KeepsEveryFieldOfALongFixtureLine) {
  // The TcpExt header of /proc/net/netstat: one name per field after the prefix.
  std::string text = testing::ReadFixture("netstat/proc/net/netstat");
  std::string_view header = SplitLines(text).front();
  Fields fields = SplitFields(header);
  ASSERT_FALSE(fields.empty());
  EXPECT_EQ(fields.front(), "TcpExt:");
  EXPECT_EQ(static_cast<std::size_t>(std::count(header.begin(), header.end(), ' ')) + 1, fields.size());
}

}  // namespace
}  // namespace hostwatch
