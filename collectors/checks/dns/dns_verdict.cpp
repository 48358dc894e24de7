#include "collectors/checks/dns/dns_verdict.h"

#include <algorithm>

namespace hostwatch {
namespace {

// Go's regexp.MatchString: a match anywhere in the text.
bool Matches(const CheckRegex& re, const std::string& text) { return re.re && RE2::PartialMatch(text, *re.re); }

std::string RcodeName(int rcode) {
  for (std::string_view name : DnsRcodeNames()) {
    if (DnsRcodeByName(name) == rcode) {
      return std::string(name);
    }
  }
  return std::to_string(rcode);
}

}  // namespace

bool ValidRrs(const std::vector<std::string>& rrs, const DnsRrValidator& v, std::string* why) {
  if (rrs.empty() && !v.fail_if_not_matches.empty()) {
    *why = "fail_if_not_matches_regexp specified but no RRs returned";
    return false;
  }
  if (rrs.empty() && !v.fail_if_none_matches.empty()) {
    *why = "fail_if_none_matches_regexp specified but no RRs returned";
    return false;
  }
  bool all_match = true;
  bool any_match = false;
  for (const std::string& rr : rrs) {
    for (const CheckRegex& re : v.fail_if_matches) {
      if (Matches(re, rr)) {
        *why = "a record matched fail_if_matches_regexp " + re.pattern;
        return false;
      }
    }
    for (const CheckRegex& re : v.fail_if_all_match) {
      all_match = all_match && Matches(re, rr);
    }
    for (const CheckRegex& re : v.fail_if_not_matches) {
      if (!Matches(re, rr)) {
        *why = "a record did not match fail_if_not_matches_regexp " + re.pattern;
        return false;
      }
    }
    any_match = any_match || std::any_of(v.fail_if_none_matches.begin(), v.fail_if_none_matches.end(),
                                         [&](const CheckRegex& re) { return Matches(re, rr); });
  }
  if (!v.fail_if_all_match.empty() && !all_match) {
    // Despite its name, blackbox fails this rule when NOT every record matches
    // every regex ("Not all RRs matched regexp"); kept so results stay equal.
    *why = "not every record matched fail_if_all_match_regexp";
    return false;
  }
  if (!v.fail_if_none_matches.empty() && !any_match) {
    *why = "no record matched fail_if_none_matches_regexp";
    return false;
  }
  return true;
}

DnsVerdict JudgeDnsResponse(const DnsModule& module, const DnsResponse& response) {
  const std::vector<int>& valid = module.valid_rcodes;
  if (std::find(valid.begin(), valid.end(), response.rcode) == valid.end()) {
    return DnsVerdict{false, FailureReason::kStatusCode,
                      "rcode " + RcodeName(response.rcode) + " is not one of the valid_rcodes"};
  }
  struct Section {
    const char* name;
    const std::vector<std::string>& rrs;
    const DnsRrValidator& validator;
  };
  const Section sections[] = {{"answer", response.answer, module.validate_answer},
                              {"authority", response.authority, module.validate_authority},
                              {"additional", response.additional, module.validate_additional}};
  for (const Section& s : sections) {
    std::string why;
    if (!ValidRrs(s.rrs, s.validator, &why)) {
      return DnsVerdict{false, FailureReason::kRegex, std::string(s.name) + " RRs: " + why};
    }
  }
  return DnsVerdict{true, FailureReason::kNone, ""};
}

}  // namespace hostwatch
