// Templates expanded as Go's Regexp.Expand.
#include "collectors/core/regex_template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hostwatch {
namespace {

// text expanded against re's match of subject ("<no match>" when it does not match).
std::string Expand(const std::string& text, const std::string& pattern, const std::string& subject) {
  re2::RE2 re("^(?s:" + pattern + ")$");
  EXPECT_TRUE(re.ok()) << pattern;
  std::vector<re2::StringPiece> groups(1 + re.NumberOfCapturingGroups());
  if (!re.Match(subject, 0, subject.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) {
    return "<no match>";
  }
  std::string out;
  RegexTemplate::Compile(text, re).AppendTo(groups, &out);
  return out;
}

TEST(RegexTemplateTest, ExpandsAsGo) {
  const std::string p = "(?P<first>a+)(b*)(c)?";
  EXPECT_EQ(Expand("$1", p, "aab"), "aa");
  EXPECT_EQ(Expand("${1}x", p, "aab"), "aax");
  EXPECT_EQ(Expand("$1x", p, "aab"), "");  // the group named "1x"
  EXPECT_EQ(Expand("$first-$2", p, "aab"), "aa-b");
  EXPECT_EQ(Expand("${first}", p, "aab"), "aa");
  EXPECT_EQ(Expand("$0", p, "aab"), "aab");
  EXPECT_EQ(Expand("[$3]", p, "aab"), "[]");     // did not take part
  EXPECT_EQ(Expand("[$9]", p, "aab"), "[]");     // no such group
  EXPECT_EQ(Expand("[$01]", p, "aab"), "[]");    // a leading zero makes a name
  EXPECT_EQ(Expand("$$1", p, "aab"), "$1");      // "$$" is a "$"
  EXPECT_EQ(Expand("a$", p, "aab"), "a$");       // malformed: literal
  EXPECT_EQ(Expand("${1", p, "aab"), "${1");     // unclosed brace: literal
  EXPECT_EQ(Expand("$-$1", p, "aab"), "$-aa");
  EXPECT_EQ(Expand("${}", p, "aab"), "${}");
  EXPECT_EQ(Expand("plain", p, "aab"), "plain");
}

TEST(RegexTemplateTest, GroupsNeeded) {
  re2::RE2 re("(a)(b)(?P<n>c)");
  EXPECT_EQ(RegexTemplate::Compile("x", re).groups_needed(), 0);
  EXPECT_EQ(RegexTemplate::Compile("$2", re).groups_needed(), 3);
  EXPECT_EQ(RegexTemplate::Compile("$n$0", re).groups_needed(), 4);
  EXPECT_EQ(RegexTemplate::Compile("$7", re).groups_needed(), 0);
  EXPECT_TRUE(RegexTemplate::Compile("$7", re).has_dollar());
  EXPECT_FALSE(RegexTemplate::Compile("x", re).has_dollar());
}

}  // namespace
}  // namespace hostwatch
