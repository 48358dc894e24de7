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
