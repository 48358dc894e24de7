#include "agent/logging.h"

#include <gtest/gtest.h>

namespace hostwatch::logging {
namespace {

TEST(LoggingTest, LogfmtQuotesAndEscapesValues) {
  std::string line = FormatLine(Format::kLogfmt, Level::kWarn, "2026-01-01T00:00:00.000Z", "collector failed",
                                {{"name", "cpu"}, {"err", "bad \"line\"\nnext"}, {"empty", ""}});
  EXPECT_EQ(line,
            "ts=2026-01-01T00:00:00.000Z level=warn msg=\"collector failed\" name=cpu "
            "err=\"bad \\\"line\\\"\\nnext\" empty=\"\"");
}

TEST(LoggingTest, JsonEscapesEverything) {
  std::string line = FormatLine(Format::kJson, Level::kInfo, "t", "hi \"there\"", {{"n", std::int64_t{3}}});
  EXPECT_EQ(line, "{\"ts\":\"t\",\"level\":\"info\",\"msg\":\"hi \\\"there\\\"\",\"n\":\"3\"}");
}

TEST(LoggingTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(ParseLevel("debug").value(), Level::kDebug);
  EXPECT_FALSE(ParseLevel("loud").ok());
  EXPECT_EQ(ParseFormat("json").value(), Format::kJson);
  EXPECT_FALSE(ParseFormat("xml").ok());
}

}  // namespace
}  // namespace hostwatch::logging

namespace hostwatch::logging {
namespace {

TEST(RateLimitTest, OneEventPerIntervalWithTheCountOfTheOthers) {
  RateLimit limit(std::chrono::seconds(10));
  const auto t0 = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(limit.Allow(t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_FALSE(limit.Allow(t0 + std::chrono::seconds(i), &suppressed));
  }
  EXPECT_FALSE(limit.Allow(t0 + std::chrono::milliseconds(9999), &suppressed));
  EXPECT_TRUE(limit.Allow(t0 + std::chrono::seconds(10), &suppressed));
  EXPECT_EQ(suppressed, 4u);
  EXPECT_TRUE(limit.Allow(t0 + std::chrono::seconds(25), &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

}  // namespace
}  // namespace hostwatch::logging
