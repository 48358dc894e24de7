#include "collectors/core/text_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace hostwatch {
namespace {

TEST(TextExpositionParserTest, ParsesTypesLabelsAndEscapes) {
  Result<std::vector<ParsedFamily>> r = ParseTextExposition(
      "# HELP a_total Help with \\\\ and \\n.\n# TYPE a_total counter\n"
      "a_total{x=\"q\\\"uote\",y=\"back\\\\slash\",z=\"new\\nline\",} 1.5e3\n"
      "  # a plain comment\n\nb -Inf\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 2u);
  const ParsedFamily& a = r.value()[0];
  EXPECT_EQ(a.family.name, "a_total");
  EXPECT_TRUE(a.has_help);
  EXPECT_EQ(a.family.help, "Help with \\ and \n.");
  EXPECT_EQ(a.family.type, prometheus::MetricType::Counter);
  ASSERT_EQ(a.family.metric.size(), 1u);
  ASSERT_EQ(a.family.metric[0].label.size(), 3u);
  EXPECT_EQ(a.family.metric[0].label[0].value, "q\"uote");
  EXPECT_EQ(a.family.metric[0].label[1].value, "back\\slash");
  EXPECT_EQ(a.family.metric[0].label[2].value, "new\nline");
  EXPECT_EQ(a.family.metric[0].counter.value, 1500);
  const ParsedFamily& b = r.value()[1];
  EXPECT_FALSE(b.has_help);
  EXPECT_EQ(b.family.type, prometheus::MetricType::Untyped);
  EXPECT_EQ(b.family.metric[0].untyped.value, -INFINITY);
}

TEST(TextExpositionParserTest, GroupsHistogramAndSummarySeries) {
  Result<std::vector<ParsedFamily>> r = ParseTextExposition(
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 4.5\nh_count 3\n"
      "# TYPE s summary\ns{k=\"a\",quantile=\"0.5\"} 1\ns_sum{k=\"a\"} 10\ns_count{k=\"a\"} 7\ns_sum{k=\"b\"} 1\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 2u);
  const prometheus::MetricFamily& h = r.value()[0].family;
  ASSERT_EQ(h.metric.size(), 1u);
  ASSERT_EQ(h.metric[0].histogram.bucket.size(), 2u);
  EXPECT_EQ(h.metric[0].histogram.bucket[0].upper_bound, 1);
  EXPECT_EQ(h.metric[0].histogram.bucket[0].cumulative_count, 2u);
  EXPECT_EQ(h.metric[0].histogram.sample_count, 3u);
  EXPECT_EQ(h.metric[0].histogram.sample_sum, 4.5);
  const prometheus::MetricFamily& s = r.value()[1].family;
  ASSERT_EQ(s.metric.size(), 2u);  // k="a" and k="b"
  EXPECT_EQ(s.metric[0].summary.quantile.size(), 1u);
  EXPECT_EQ(s.metric[0].summary.sample_count, 7u);
  EXPECT_EQ(s.metric[1].summary.sample_sum, 1);
}

TEST(TextExpositionParserTest, RejectsMalformedInput) {
  const char* bad[] = {
      "metric 1 1441205977284\n",                 // client-side timestamp
      "metric{a=\"unterminated} 1\n",             // open quote
      "metric{a=\"x\",a=\"y\"} 1\n",              // duplicate label
      "metric{a=\"bad \\q escape\"} 1\n",         // unknown escape
      "metric{a=x} 1\n",                          // unquoted value
      "metric notanumber\n",                      // bad value
      "metric\n",                                 // no value
      "1metric 1\n",                              // bad name
      "metric 1 2 3\n",                           // trailing garbage
      "# TYPE m counter\n# TYPE m gauge\nm 1\n",  // second TYPE
      "# HELP m a\n# HELP m b\nm 1\n",            // second HELP
      "m 1\n# TYPE m counter\n",                  // TYPE after samples
      "# TYPE m bogus\nm 1\n",                    // unknown type
      "# TYPE h histogram\nh_bucket 1\n",         // bucket without le
      "# TYPE h histogram\nh 1\n",                // histogram sample without suffix
      "# TYPE s summary\ns_count -1\n",           // negative count
  };
  for (const char* text : bad) {
    Result<std::vector<ParsedFamily>> r = ParseTextExposition(text);
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("line "), std::string::npos) << r.status().message();
    }
  }
}

TEST(TextExpositionParserTest, ErrorNamesTheLineNumber) {
  Result<std::vector<ParsedFamily>> r = ParseTextExposition("# HELP m fine\nm 1\n\nm{a=\"x\" 2\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("line 4: ", 0), 0u) << r.status().message();
}

TEST(TextExpositionParserTest, NonContiguousSamplesJoinOneFamily) {
  Result<std::vector<ParsedFamily>> r = ParseTextExposition("a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[0].family.name, "a");
  ASSERT_EQ(r.value()[0].family.metric.size(), 2u);
  EXPECT_EQ(r.value()[0].family.metric[1].untyped.value, 3);
}

TEST(TextExpositionParserTest, HelpOrTypeWithoutSamplesIsNoFamily) {
  Result<std::vector<ParsedFamily>> r = ParseTextExposition("# HELP lonely Nothing follows.\n# TYPE lonely gauge\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r.value().empty());
}

TEST(TextExpositionParserTest, CommentsThatOnlyLookLikeHelpAreIgnored) {
  Result<std::vector<ParsedFamily>> r = ParseTextExposition("# HELPER text\n#TYPE\n# other\nm 1\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_FALSE(r.value()[0].has_help);
}

TEST(TextExpositionParserTest, EmptyHelpCountsAsNoHelp) {
  Result<std::vector<ParsedFamily>> r = ParseTextExposition("# HELP m \nm 1\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_FALSE(r.value()[0].has_help);
}

TEST(ExpositionValueTest, ParsesGoFloatSpellings) {
  const struct {
    const char* text;
    double want;
  } cases[] = {
      {"1", 1},          {"+1", 1},          {"-2.5", -2.5},      {"1.5e3", 1500},         {"1E-2", 0.01},
      {"Inf", INFINITY}, {"+inf", INFINITY}, {"-Inf", -INFINITY}, {"+Infinity", INFINITY}, {"-INFINITY", -INFINITY}};
  for (const auto& c : cases) {
    std::optional<double> v = ParseExpositionValue(c.text);
    ASSERT_TRUE(v.has_value()) << c.text;
    EXPECT_EQ(*v, c.want) << c.text;
  }
  std::optional<double> nan = ParseExpositionValue("NaN");
  ASSERT_TRUE(nan.has_value());
  EXPECT_TRUE(std::isnan(*nan));
}

TEST(ExpositionValueTest, RejectsNonNumbers) {
  for (const char* bad : {"", " 1", "1 ", "abc", "1,5", "++1", "0x10", "infinit", "nan1"}) {
    EXPECT_FALSE(ParseExpositionValue(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace hostwatch
