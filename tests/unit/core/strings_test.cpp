#include "collectors/core/strings.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {
namespace {

TEST(StringsTest, AsciiToLowerTouchesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiToLower("NaN +Inf Hello_World-09"), "nan +inf hello_world-09");
  EXPECT_EQ(AsciiToLower(""), "");
  EXPECT_EQ(AsciiToLower("\xC3\x84Z"), "\xC3\x84z");  // UTF-8 bytes pass through
}

TEST(StringsTest, EqualsIgnoreAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Basic", "bASIC"));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("", ""));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("Basic", "Basic "));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("a1", "a2"));
}

TEST(StringsTest, ClosestSpellingSuggestsOnlyLikelyTypos) {
  const std::vector<std::string_view> keys = {"query_response", "tls", "tls_config", "interval", "targets"};
  EXPECT_EQ(ClosestSpelling("query_responce", keys), "query_response");  // one substitution
  EXPECT_EQ(ClosestSpelling("intreval", keys), "interval");              // a swapped pair is one typo
  EXPECT_EQ(ClosestSpelling("target", keys), "targets");
  EXPECT_EQ(ClosestSpelling("tsl", keys), "tls");
  EXPECT_EQ(ClosestSpelling("colour", keys), "");  // nothing close: no suggestion
  EXPECT_EQ(ClosestSpelling("x", {}), "");
}

TEST(StringsTest, JoinPutsTheSeparatorBetweenItems) {
  using Strings = std::vector<std::string>;
  using Views = std::vector<std::string_view>;
  EXPECT_EQ(Join(Strings{}, ", "), "");
  EXPECT_EQ(Join(Strings{"a"}, ", "), "a");
  EXPECT_EQ(Join(Strings{"a", "", "c"}, ":"), "a::c");
  EXPECT_EQ(Join(Views{}, ", "), "");
  EXPECT_EQ(Join(Views{"a", "", "c"}, ", "), "a, , c");
}

TEST(ToValidUtf8Test, ReplacesEachInvalidRunWithOneReplacementCharacter) {
  EXPECT_EQ(ToValidUtf8("/mnt/plain"), "/mnt/plain");
  EXPECT_EQ(ToValidUtf8("/mnt/caf\xC3\xA9"), "/mnt/caf\xC3\xA9");            // é stays
  EXPECT_EQ(ToValidUtf8("/mnt/\xF0\x9F\x92\xBE"), "/mnt/\xF0\x9F\x92\xBE");  // 4-byte emoji stays
  EXPECT_EQ(ToValidUtf8("/mnt/\xFF\xFEx"), "/mnt/\xEF\xBF\xBDx");            // one run, one U+FFFD
  EXPECT_EQ(ToValidUtf8("a\xC0\xAF"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");  // overlong '/'
  EXPECT_EQ(ToValidUtf8("a\xED\xA0\x80"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");                                            // surrogate
  EXPECT_EQ(ToValidUtf8("end\xE2\x82"), "end\xEF\xBF\xBD");  // truncated sequence
}

TEST(StringsTest, LabelNamesAreLegacyPrometheusNames) {
  EXPECT_TRUE(IsLabelName("__name__"));
  EXPECT_TRUE(IsLabelName("a9_"));
  EXPECT_FALSE(IsLabelName(""));
  EXPECT_FALSE(IsLabelName("9a"));
  EXPECT_FALSE(IsLabelName("a-b"));
  EXPECT_FALSE(IsLabelName("utf-8.label"));
}

}  // namespace
}  // namespace hostwatch
