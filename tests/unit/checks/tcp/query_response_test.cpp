#include "collectors/checks/tcp/query_response.h"

#include <gtest/gtest.h>

#include "collectors/core/regex_template.h"

namespace hostwatch {
namespace {

std::string Expand(const std::string& pattern, const std::string& line, const std::string& templ) {
  re2::RE2 re(pattern);
  std::vector<std::string_view> groups;
  EXPECT_TRUE(MatchLine(re, line, &groups)) << pattern << " on " << line;
  return RegexTemplate::Compile(templ, re).Expand(groups);
}

// Go's Regexp.Expand, case by case (blackbox fills a send from the expect's match with it).
TEST(QueryResponseTest, ExpandsSubmatchesAsGo) {
  struct Case {
    const char* pattern;
    const char* line;
    const char* templ;
    const char* want;
  } cases[] = {
      {"^PING :(.+)$", "PING :irc.example.org", "PONG ${1}", "PONG irc.example.org"},
      {"^PING :(.+)$", "PING :x", "PONG $1", "PONG x"},
      {"^(?P<cmd>\\w+) (?P<arg>.*)$", "HELO there", "${arg}-${cmd}", "there-HELO"},
      {"^(?P<cmd>\\w+)", "HELO", "$cmd!", "HELO!"},
      {"(a)", "a", "$1x", ""},               // $1x names group "1x": none, so empty
      {"(a)", "a", "${1}x", "ax"},
      {"(a)", "a", "cost $$5", "cost $5"},
      {"(a)", "a", "$", "$"},                // malformed: kept as text
      {"(a)", "a", "${1", "${1"},            // unclosed brace: kept as text
      {"(a)", "a", "$2 and $9", " and "},    // no such group: empty
      {"(a)|(b)", "b", "[$1][$2]", "[][b]"},  // a group that did not take part: empty
      {"(a)", "a", "no refs", "no refs"},
      {"(a)", "a", "$0", "a"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Expand(c.pattern, c.line, c.templ), c.want) << c.pattern << " / " << c.templ;
  }
}

TEST(QueryResponseTest, MatchIsUnanchoredLikeGoFindSubmatchIndex) {
  re2::RE2 re("SSH-2.0-");
  std::vector<std::string_view> groups;
  EXPECT_TRUE(MatchLine(re, "xx SSH-2.0-OpenSSH", &groups));
  EXPECT_FALSE(MatchLine(re, "SSH-1.99-old", &groups));
}

TEST(QueryResponseTest, LineBufferCutsLinesAsScanLines) {
  LineBuffer b;
  b.Append("220 mail ESMTP\r\n250-PIPE");
  EXPECT_EQ(b.NextLine(false), std::optional<std::string>("220 mail ESMTP"));
  EXPECT_EQ(b.NextLine(false), std::nullopt);  // a partial line waits for more
  b.Append("LINING\n\n");
  EXPECT_EQ(b.NextLine(false), std::optional<std::string>("250-PIPELINING"));
  EXPECT_EQ(b.NextLine(false), std::optional<std::string>(""));  // an empty line is a line
  b.Append("last words");
  EXPECT_EQ(b.NextLine(false), std::nullopt);
  EXPECT_EQ(b.NextLine(true), std::optional<std::string>("last words"));  // at EOF the rest is the last line
  EXPECT_EQ(b.NextLine(true), std::nullopt);
}

TEST(QueryResponseTest, LineBufferOverflowsPast64KiBWithoutNewline) {
  LineBuffer b;
  b.Append(std::string(LineBuffer::kMaxLine, 'x'));
  EXPECT_FALSE(b.Overflowed());
  b.Append("y");
  EXPECT_TRUE(b.Overflowed());
  b.Append("\n");
  EXPECT_FALSE(b.Overflowed());  // a newline arrived: the (long) line can be cut
}

}  // namespace
}  // namespace hostwatch
