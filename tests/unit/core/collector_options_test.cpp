#include "collectors/core/collector_options.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesPrometheusDurations) {
  struct Case {
    const char* text;
    long long ms;
  } cases[] = {{"0", 0},          {"0s", 0},       {"500ms", 500},          {"30s", 30000},
               {"5m", 300000},    {"1h30m", 5400000}, {"1d", 86400000},     {"2w", 1209600000},
               {"1m30s500ms", 90500}};
  for (const Case& c : cases) {
    Result<milliseconds> r = ParseDuration(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().message();
    EXPECT_EQ(r.value().count(), c.ms) << c.text;
  }
}

TEST(DurationTest, RejectsBadDurations) {
  const char* bad[] = {"", "5", "5x", "m", "-1s", "1s1m", "1s1s", "1.5s", " 1s", "1 s"};
  for (const char* text : bad) {
    Result<milliseconds> r = ParseDuration(text);
    EXPECT_FALSE(r.ok()) << '"' << text << '"';
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("invalid duration"), std::string::npos);
    }
  }
}

TEST(DurationTest, FormatsRoundTrip) {
  EXPECT_EQ(FormatDuration(milliseconds(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
}

TEST(CollectorOptionsTest, DefaultsComeFromTheRegistry) {
  CollectorOptions o = CollectorOptions::Defaults();
  EXPECT_TRUE(o.GetBool("cpu", "guest"));
}

TEST(CollectorOptionsTest, SetValidatesByKind) {
  CollectorOptions o = CollectorOptions::Defaults();
  EXPECT_TRUE(o.Set("cpu", "guest", "false").ok());
  EXPECT_FALSE(o.GetBool("cpu", "guest"));
  Status bad = o.Set("cpu", "guest", "maybe");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(), "expected true or false, got \"maybe\"");
  EXPECT_FALSE(o.Set("cpu", "no-such-option", "1").ok());
  EXPECT_FALSE(o.Set("no-such-collector", "x", "1").ok());
}

TEST(CollectorOptionsTest, ValidatesRegexWithRe2) {
  EXPECT_TRUE(CollectorOptions::Validate(OptionKind::kRegex, "^(ram|loop)\\d+$").ok());
  Status s = CollectorOptions::Validate(OptionKind::kRegex, "([a-z");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("invalid regular expression"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
