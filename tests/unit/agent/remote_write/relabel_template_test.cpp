// Templates expanded as Go's Regexp.Expand, and the label-name checks of Prometheus' Validate.
#include "agent/remote_write/relabel_template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hostwatch::remote_write {
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
  RelabelTemplate::Compile(text, re).AppendTo(groups, &out);
  return out;
}

TEST(RelabelTemplateTest, ExpandsAsGo) {
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

TEST(RelabelTemplateTest, GroupsNeeded) {
  re2::RE2 re("(a)(b)(?P<n>c)");
  EXPECT_EQ(RelabelTemplate::Compile("x", re).groups_needed(), 0);
  EXPECT_EQ(RelabelTemplate::Compile("$2", re).groups_needed(), 3);
  EXPECT_EQ(RelabelTemplate::Compile("$n$0", re).groups_needed(), 4);
  EXPECT_EQ(RelabelTemplate::Compile("$7", re).groups_needed(), 0);
  EXPECT_TRUE(RelabelTemplate::Compile("$7", re).has_dollar());
  EXPECT_FALSE(RelabelTemplate::Compile("x", re).has_dollar());
}

// Prometheus' TestTargetLabelLegacyValidity, as facts.
TEST(RelabelTemplateTest, TargetLabelLegacyValidity) {
  const struct {
    const char* text;
    bool valid;
  } cases[] = {
      {"-label", false}, {"label", true},   {"label${1}", true}, {"${1}label", true},     {"${1}", true},
      {"${", false},     {"$", false},      {"${}", false},      {"foo${", false},        {"$1", true},
      {"asd$2asd", true}, {"-foo${1}bar-", false}, {"bar.foo${1}bar", false}, {"_${1}_", true},
      {"foo${bar}foo", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsLabelNameTemplate(c.text), c.valid) << c.text;
  }
}

TEST(RelabelTemplateTest, LegacyLabelNames) {
  EXPECT_TRUE(IsLegacyLabelName("__name__"));
  EXPECT_TRUE(IsLegacyLabelName("a9_"));
  EXPECT_FALSE(IsLegacyLabelName(""));
  EXPECT_FALSE(IsLegacyLabelName("9a"));
  EXPECT_FALSE(IsLegacyLabelName("a-b"));
  EXPECT_FALSE(IsLegacyLabelName("utf-8.label"));
}

}  // namespace
}  // namespace hostwatch::remote_write
