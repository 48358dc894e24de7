#include "collectors/core/collector_options.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

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

TEST(DurationTest, ParsesGoDurations) {
  // node_exporter's flags take Go's time.ParseDuration syntax: fractions, ns/us/µs/μs,
  // units in any order or repeated, a leading '+'. Kept in ms, rounded to the nearest.
  struct Case {
    const char* text;
    long long ms;
  } cases[] = {{"1.5s", 1500},      {"0.5h", 1800000}, {".5s", 500},          {"1.s", 1000},
               {"250ms", 250},      {"1499us", 1},     {"2500\u00b5s", 3},   {"1000\u03bcs", 1},
               {"1000000ns", 1},    {"1s1m", 61000},   {"1s1s", 2000},        {"+5m", 300000},
               {"1h30m", 5400000},  {"0s", 0},         {"0.0h", 0},           {"1.0004s", 1000},
               {"1.0005s", 1001},   {"1.4ms", 1},      {"2562047h", 2562047LL * 3600 * 1000},
               {"1.000000000000000000001s", 1000}};
  for (const Case& c : cases) {
    Result<milliseconds> r = ParseDuration(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().message();
    EXPECT_EQ(r.value().count(), c.ms) << c.text;
  }
}

// Every rejection says why without quoting the value (config errors never repeat values).
void ExpectRejected(const std::string& text, std::string_view why) {
  Result<milliseconds> r = ParseDuration(text);
  ASSERT_FALSE(r.ok()) << '"' << text << '"';
  EXPECT_NE(r.status().message().find(why), std::string::npos) << text << ": " << r.status().message();
  if (text.size() > 2) {
    EXPECT_EQ(r.status().message().find(text), std::string::npos) << r.status().message();
  }
}

TEST(DurationTest, RejectsBadDurations) {
  for (const char* text : {"", "5", "5x", "m", "1d1d", "1s1d", "1.5d", "1.5y", " 1s", "1 s", "1s ", ".s", "1..5s",
                           "++1s", "+", "1.5", "1_000s", "1S", "1mss", "1e3s", "0x10s", "1dh", "+1d"}) {
    ExpectRejected(text, "invalid duration");
  }
}

TEST(DurationTest, RejectsNegativeTinyAndHugeDurations) {
  for (const char* text : {"-1s", "-0.5h", "-1d", "-0s"}) {
    ExpectRejected(text, "negative");
  }
  // Non-zero but below the millisecond the agent keeps: an error, not a silent 0.
  for (const char* text : {"1ns", "999us", "0.5ms", "0.0001s", "999999ns"}) {
    ExpectRejected(text, "below 1ms");
  }
  // Go's limit (int64 nanoseconds, ~292 years) and Prometheus' 2^53 ms per unit.
  for (const char* text : {"2562048h", "9223372036854775808ns", "99999999999999999999999s", "2562047h1h",
                           "300000y", "99999999999999999999d"}) {
    ExpectRejected(text, "too large");
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

TEST(CollectorOptionsTest, APathListHoldsOneEntryPerLineAndNoEmptyOnes) {
  constexpr PathListOption kDirs{"demo", "dirs", "", ""};
  constexpr PathListOption kOne{"demo", "one", "/var/lib/x", ""};
  CollectorOptions o;
  o.Declare(kDirs.Spec());
  o.Declare(kOne.Spec());
  EXPECT_EQ(o.Get(kDirs), std::vector<std::string>{});
  EXPECT_EQ(o.Get(kOne), std::vector<std::string>{"/var/lib/x"});
  ASSERT_TRUE(o.Set("demo", "dirs", "/a b\n\n/c/*\n").ok());
  EXPECT_EQ(o.Get(kDirs), (std::vector<std::string>{"/a b", "/c/*"}));
  ASSERT_TRUE(o.Set("demo", "dirs", "").ok());
  EXPECT_EQ(o.Get(kDirs), std::vector<std::string>{});
}

TEST(CollectorOptionsTest, ParseOptionValueValidatesRegexWithRe2) {
  EXPECT_TRUE(ParseOptionValue(OptionKind::kRegex, "^(ram|loop)\\d+$").ok());
  Result<OptionValue> r = ParseOptionValue(OptionKind::kRegex, "([a-z");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid regular expression"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
