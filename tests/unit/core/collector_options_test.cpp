#include "collectors/core/collector_options.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesPrometheusDurations) {
  struct Case {
    const char* text;
    long long ms;
  } cases[] = {{"0", 0},           {"0s", 0},        {"500ms", 500},     {"30s", 30000},       {"5m", 300000},
               {"1h30m", 5400000}, {"1d", 86400000}, {"2w", 1209600000}, {"1m30s500ms", 90500}};
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

constexpr BoolOption kFlag{"demo", "flag", true, "A boolean."};
constexpr RegexOption kPattern{"demo", "pattern", "^x$", "A regex."};
constexpr IntOption kCount{"demo", "count", 4, "An integer."};
constexpr DurationOption kWait{"demo", "wait", std::chrono::seconds(90), "A duration."};
constexpr StringOption kPath{"demo", "path", "", "Free text."};

CollectorOptions DemoOptions() {
  CollectorOptions o;
  for (const OptionSpec& spec : {kFlag.Spec(), kPattern.Spec(), kCount.Spec(), kWait.Spec(), kPath.Spec()}) {
    o.Declare(spec);
  }
  return o;
}

TEST(CollectorOptionsTest, HandlesRenderTheirDefaultsAsText) {
  EXPECT_EQ(kFlag.Spec().default_value, "true");
  EXPECT_EQ(kCount.Spec().default_value, "4");
  EXPECT_EQ(kWait.Spec().default_value, "1m30s");
  EXPECT_EQ(kPattern.Spec().default_value, "^x$");
  EXPECT_EQ(kPattern.Spec().kind, OptionKind::kRegex);
  EXPECT_EQ(kPattern.Spec().collector, "demo");
}

TEST(CollectorOptionsTest, DeclaredOptionsStartAtTheirDefaults) {
  CollectorOptions o = DemoOptions();
  EXPECT_TRUE(o.Get(kFlag));
  EXPECT_EQ(o.Get(kPattern), "^x$");
  EXPECT_EQ(o.Get(kCount), 4);
  EXPECT_EQ(o.Get(kWait), milliseconds(90000));
  EXPECT_EQ(o.Get(kPath), "");
  EXPECT_TRUE(o.undeclared_reads().empty());
}

TEST(CollectorOptionsTest, SetParsesTextIntoTheTypedValue) {
  CollectorOptions o = DemoOptions();
  ASSERT_TRUE(o.Set("demo", "flag", "false").ok());
  ASSERT_TRUE(o.Set("demo", "count", "12").ok());
  ASSERT_TRUE(o.Set("demo", "wait", "500ms").ok());
  ASSERT_TRUE(o.Set("demo", "path", "/var/lib/x").ok());
  EXPECT_FALSE(o.Get(kFlag));
  EXPECT_EQ(o.Get(kCount), 12);
  EXPECT_EQ(o.Get(kWait), milliseconds(500));
  EXPECT_EQ(o.Get(kPath), "/var/lib/x");
}

TEST(CollectorOptionsTest, SetRejectsBadTextAndUnknownOptions) {
  CollectorOptions o = DemoOptions();
  EXPECT_FALSE(o.Set("demo", "flag", "maybe").ok());
  EXPECT_FALSE(o.Set("demo", "count", "-1").ok());
  EXPECT_FALSE(o.Set("demo", "wait", "5").ok());
  Status bad_regex = o.Set("demo", "pattern", "([a-z");
  EXPECT_NE(bad_regex.message().find("invalid regular expression"), std::string::npos);
  EXPECT_EQ(o.Set("demo", "no-such-option", "1").message(), "unknown option collector.demo.no-such-option");
  EXPECT_FALSE(o.Set("no-such-collector", "x", "1").ok());
  EXPECT_TRUE(o.Get(kFlag));  // a rejected value leaves the old one
}

TEST(CollectorOptionsTest, ReadingAnUndeclaredHandleYieldsItsDefaultAndIsRecorded) {
  CollectorOptions o;
  o.Declare(kFlag.Spec());
  constexpr IntOption kSameKeyOtherKind{"demo", "flag", 7, ""};
  EXPECT_EQ(o.Get(kCount), 4);
  EXPECT_EQ(o.Get(kSameKeyOtherKind), 7);
  EXPECT_TRUE(o.Get(kFlag));
  EXPECT_EQ(o.undeclared_reads(), (std::vector<std::string>{"demo.count", "demo.flag"}));
}

TEST(CollectorOptionsTest, ParseOptionValueValidatesRegexWithRe2) {
  EXPECT_TRUE(ParseOptionValue(OptionKind::kRegex, "^(ram|loop)\\d+$").ok());
  Result<OptionValue> r = ParseOptionValue(OptionKind::kRegex, "([a-z");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid regular expression"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
