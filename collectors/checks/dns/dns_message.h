// DNS messages for the dns prober, built and read with ldns (never by hand):
// the query blackbox sends (miekg/dns's Msg with one question, RD as
// recursion_desired, no EDNS), and what blackbox reads from an answer: its
// rcode, the three record lists as miekg/dns's RR.String() would print them
// (dns_rr_text.h), and the SOA serial.
//
// Names of types, classes and rcodes are miekg/dns's (blackbox looks them up
// in dns.StringToType, StringToClass, StringToRcode): upper case, exact.
//
// Pure functions of their arguments; safe on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

// "MX" -> 15. nullopt for a name miekg/dns does not know (wrong case, "TYPE15").
std::optional<std::uint16_t> DnsTypeByName(std::string_view name);
// "IN" -> 1, also CS, CH, HS, NONE, ANY.
std::optional<std::uint16_t> DnsClassByName(std::string_view name);
// "NXDOMAIN" -> 3, miekg/dns's names (NOTIMPL beside NOTIMP; BADSIG for 16).
std::optional<int> DnsRcodeByName(std::string_view name);
// The known names, for "did you mean".
const std::vector<std::string_view>& DnsRcodeNames();

// True when ldns can make a domain name of it (labels of at most 63 bytes, at most 255 in all).
bool IsValidQueryName(const std::string& name);

struct DnsQuestion {
  std::string name;  // query_name; a trailing dot is added as dns.Fqdn does
  std::uint16_t type = 255;
  std::uint16_t qclass = 1;
  bool recursion_desired = true;
};

// The query's wire bytes with the given id; empty if the name is not valid.
std::string BuildDnsQuery(const DnsQuestion& q, std::uint16_t id);

struct DnsResponse {
  int rcode = 0;  // with the EDNS extended bits, as miekg/dns's Msg.Rcode
  std::vector<std::string> answer, authority, additional;  // each record's text (dns_rr_text.h)
  std::optional<std::uint32_t> soa_serial;                  // of the last SOA in the answer section
};

enum class DnsParse {
  kOk,         // *out holds the response
  kNotOurs,    // a message, but not the response to this query (id, QR bit or question differ)
  kMalformed,  // not a DNS message (*why says what ldns found)
};

// Reads wire as the response to the query (q, id). A response without a
// question (some servers' FORMERR) is accepted when its id matches, as
// miekg/dns does. Never throws; any bytes are fine.
DnsParse ParseDnsResponse(std::string_view wire, const DnsQuestion& q, std::uint16_t id, DnsResponse* out,
                          std::string* why);

}  // namespace hostwatch
