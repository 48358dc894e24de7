#include "collectors/checks/dns/dns_verdict.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

std::vector<CheckRegex> Res(std::initializer_list<const char*> patterns) {
  std::vector<CheckRegex> out;
  for (const char* p : patterns) {
    out.push_back(CheckRegex{p, std::make_shared<re2::RE2>(p)});
  }
  return out;
}

const std::vector<std::string> kTwoA = {"example.org.\t300\tIN\tA\t127.0.0.1", "example.org.\t300\tIN\tA\t127.0.0.2"};

// blackbox 0.28's validRRs, rule by rule (its dns_test.go cases and the quirks they pin).
TEST(DnsVerdictTest, ValidRrsFollowsBlackbox) {
  struct Case {
    const char* name;
    std::vector<std::string> rrs;
    DnsRrValidator v;
    bool want;
  } cases[] = {
      {"no rules", kTwoA, {}, true},
      {"matches: one record matches", kTwoA, {Res({"127.0.0.2"}), {}, {}, {}}, false},
      {"matches: none", kTwoA, {Res({"10\\."}), {}, {}, {}}, true},
      {"not_matches: every record matches", kTwoA, {{}, {}, Res({"\\tA\\t127\\.0\\.0\\."}), {}}, true},
      {"not_matches: one misses", kTwoA, {{}, {}, Res({"127.0.0.1$"}), {}}, false},
      {"not_matches: no records", {}, {{}, {}, Res({"."}), {}}, false},
      {"none_matches: one matches", kTwoA, {{}, {}, {}, Res({"127.0.0.2"})}, true},
      {"none_matches: none", kTwoA, {{}, {}, {}, Res({"10\\."})}, false},
      {"none_matches: no records", {}, {{}, {}, {}, Res({"."})}, false},
      // fail_if_all_match fails unless every record matches every regex (blackbox's allMatch test).
      {"all_match: all match", kTwoA, {{}, Res({"127.0.0"}), {}, {}}, true},
      {"all_match: one misses", kTwoA, {{}, Res({"127.0.0.1$"}), {}, {}}, false},
      {"all_match: no records", {}, {{}, Res({"."}), {}, {}}, true},
      {"matches is unanchored", kTwoA, {Res({"IN\\tA"}), {}, {}, {}}, false},
  };
  for (const Case& c : cases) {
    std::string why;
    EXPECT_EQ(ValidRrs(c.rrs, c.v, &why), c.want) << c.name;
    EXPECT_EQ(why.empty(), c.want) << c.name;
  }
}

TEST(DnsVerdictTest, RcodeThenSectionsInOrder) {
  DnsModule m;
  DnsResponse r;
  r.answer = kTwoA;
  EXPECT_TRUE(JudgeDnsResponse(m, r).success);

  r.rcode = 3;
  DnsVerdict v = JudgeDnsResponse(m, r);
  EXPECT_FALSE(v.success);
  EXPECT_EQ(v.reason, FailureReason::kStatusCode);
  EXPECT_EQ(v.error, "rcode NXDOMAIN is not one of the valid_rcodes");
  m.valid_rcodes = {0, 3};
  EXPECT_TRUE(JudgeDnsResponse(m, r).success);

  m.validate_additional.fail_if_none_matches = Res({"."});  // no additional records: fails there
  v = JudgeDnsResponse(m, r);
  EXPECT_EQ(v.reason, FailureReason::kRegex);
  EXPECT_EQ(v.error, "additional RRs: fail_if_none_matches_regexp specified but no RRs returned");
  m.validate_answer.fail_if_matches = Res({"127.0.0.1"});  // the answer section is judged first
  v = JudgeDnsResponse(m, r);
  EXPECT_EQ(v.error, "answer RRs: a record matched fail_if_matches_regexp 127.0.0.1");
}

}  // namespace
}  // namespace hostwatch
