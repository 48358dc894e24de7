// The verdict on a DNS response, as blackbox 0.28's prober/dns.go gives it
// (validRcode, then validRRs for the answer, authority and additional
// sections in that order; the first failure decides):
//  - the rcode must be one of valid_rcodes (default NOERROR): else reason
//    status_code (the rcode is the response's status, as dig calls it);
//  - each section's validator (DnsRrValidator) against its records' text:
//    else reason regex.
//
// Pure functions; safe on any thread.
#pragma once

#include <string>
#include <vector>

#include "collectors/checks/dns/dns_message.h"
#include "collectors/checks/dns/dns_module.h"
#include "collectors/checks/http/probe_result.h"

namespace hostwatch {

// blackbox's validRRs: true when the records pass every rule of v; *why names the rule that failed.
bool ValidRrs(const std::vector<std::string>& rrs, const DnsRrValidator& v, std::string* why);

struct DnsVerdict {
  bool success = false;
  FailureReason reason = FailureReason::kNone;
  std::string error;  // "" on success
};

DnsVerdict JudgeDnsResponse(const DnsModule& module, const DnsResponse& response);

}  // namespace hostwatch
