#include "collectors/core/parse_util.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using Fields = std::vector<std::string_view>;

TEST(ParseGoUintTest, PrefixPicksTheBaseLikeGoParseUintBaseZero) {
  EXPECT_EQ(ParseGoUint("0xffffffffffffffff"), UINT64_MAX);  // fc_host: a counter the firmware lacks
  EXPECT_EQ(ParseGoUint("0x13"), 19u);
  EXPECT_EQ(ParseGoUint("017"), 15u);
  EXPECT_EQ(ParseGoUint("0b101"), 5u);
  EXPECT_EQ(ParseGoUint("0"), 0u);
  EXPECT_EQ(ParseGoUint("42"), 42u);
  EXPECT_FALSE(ParseGoUint("-1").has_value());
  EXPECT_FALSE(ParseGoUint("0x").has_value());
  EXPECT_FALSE(ParseGoUint("0x1ffffffffffffffff").has_value());
  EXPECT_FALSE(ParseGoUint("").has_value());
}

TEST(ParseHexUintTest, HexDigitsOnlyLikeGoParseUintBase16) {
  EXPECT_EQ(ParseHexUint("0000002a"), 42u);
  EXPECT_EQ(ParseHexUint("FFFFFFFFFFFFFFFF"), UINT64_MAX);
  EXPECT_EQ(ParseHexUint(""), std::nullopt);
  EXPECT_EQ(ParseHexUint("0x2a"), std::nullopt);
  EXPECT_EQ(ParseHexUint("-1"), std::nullopt);
  EXPECT_EQ(ParseHexUint("2a "), std::nullopt);
  EXPECT_EQ(ParseHexUint("10000000000000000"), std::nullopt);  // past 64 bits
}

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
