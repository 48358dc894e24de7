// The `dns:` part of a blackbox_exporter module (blackbox 0.28's DNSProbe in
// config/config.go), with blackbox's key names and defaults, so a blackbox.yml
// module is used as it is:
//
//   query_name (required), query_type (default ANY), query_class (default IN),
//   recursion_desired (default true), transport_protocol (udp, the default, or
//   tcp), dns_over_tls with tls_config, valid_rcodes (default [NOERROR]),
//   validate_answer_rrs / validate_authority_rrs / validate_additional_rrs
//   ({fail_if_matches_regexp, fail_if_all_match_regexp,
//   fail_if_not_matches_regexp, fail_if_none_matches_regexp}),
//   preferred_ip_protocol (default ip6), ip_protocol_fallback (default true),
//   source_ip_address.
//
// What blackbox accepts here but fails on every probe is refused at load
// time instead: an rcode name it does not know, dns_over_tls without
// transport_protocol: tcp. Names are spelled as miekg/dns spells them
// (upper case: "MX", "NXDOMAIN"); a query_name must be ASCII (blackbox would
// punycode a Unicode name; write the xn-- form).
//
// Value types, immutable once parsed; the compiled regexes are shared and
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/core/config_reader.h"

namespace hostwatch {

// One validate_*_rrs block: regexes matched (unanchored, as Go's
// regexp.MatchString) against each record's text (dns_rr_text.h).
struct DnsRrValidator {
  std::vector<CheckRegex> fail_if_matches;       // any record matches any: fail
  std::vector<CheckRegex> fail_if_all_match;     // a record misses one: fail (blackbox, despite the name)
  std::vector<CheckRegex> fail_if_not_matches;   // a record does not match one: fail (and no records)
  std::vector<CheckRegex> fail_if_none_matches;  // no record matches one: fail (and no records)
};

struct DnsModule {
  std::string query_name;  // as written; sent as a fully qualified name
  std::uint16_t query_type = 255;  // ANY
  std::uint16_t query_class = 1;   // IN
  bool recursion_desired = true;
  bool tcp = false;  // transport_protocol: tcp
  bool dns_over_tls = false;
  CheckTlsConfig tls_config;
  std::vector<int> valid_rcodes = {0};  // NOERROR
  DnsRrValidator validate_answer, validate_authority, validate_additional;
  std::string preferred_ip_protocol = "ip6";  // blackbox's default
  bool ip_protocol_fallback = true;
  std::string source_ip_address;  // "" = the kernel's choice
};

// Parses a module's `dns:` mapping at path into *out. Errors (unknown keys
// with "did you mean", a missing query_name, unknown type/class/rcode names,
// bad regexes, a source address that is not an IP address, unreadable TLS
// files) go to r's diagnostics with their position; never throws.
void ParseDnsModule(ConfigReader& r, const YAML::Node& n, const std::string& path, DnsModule* out);

// A dns target as blackbox reads it: "host:port", "[v6]:port", or a bare host
// or IPv6 literal ("ns1", "::1"), which gets port 53 (853 with dns_over_tls).
// False (with *why) when the host is empty or the port is not 1-65535.
bool SplitDnsTarget(const std::string& target, bool dns_over_tls, std::string* host, int* port, std::string* why);

}  // namespace hostwatch
