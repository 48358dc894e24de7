// A resource record's text exactly as miekg/dns's RR.String() prints it,
// which is what blackbox_exporter matches its validate_*_rrs regexes against:
//
//   <owner>\t<ttl>\t<class>\t<type>\t<rdata>
//
// e.g. "example.org.\t300\tIN\tMX\t10 mail.example.org.". ldns's own text
// (ldns_rr2str) agrees for most rdata fields but not all, so the parts that
// differ are written here from the record's wire fields:
//  - no trailing newline (ldns ends with "\n");
//  - names: the bytes . space ' @ ; ( ) " \ are escaped with a backslash,
//    bytes outside 0x20-0x7e as \DDD (ldns escapes a different set);
//  - TXT/SPF strings: " and \ with a backslash, bytes outside 0x20-0x7e as
//    \DDD (ldns keeps a tab as it is);
//  - AAAA: Go's net.IP form (RFC 5952; an IPv4-mapped address as
//    ::ffff:1.2.3.4, and ::1.2.3.4 as ::102:304, where glibc's inet_ntop
//    writes the dotted form);
//  - class: IN, CS, CH, HS, NONE, else CLASSn (ANY too: miekg/dns prints
//    CLASS255 because ANY is also a type name);
//  - a type ldns does not know: miekg/dns's RFC 3597 form,
//    "<owner>\t<ttl>\tCLASSn\tTYPEn\t\# <len> <hex>".
// The other rdata fields (numbers, IPv4 addresses, SOA timers, SRV, MX
// preference) are ldns's text, which is miekg/dns's for A, AAAA, CNAME, MX,
// TXT, NS, SOA, PTR and SRV (tests/unit/checks/dns/dns_rr_text_test.cpp).
// For rarer types (DNSKEY, CAA, SVCB, ...) ldns's rdata text may differ in
// detail from miekg/dns's.
//
// Pure functions; safe on any thread.
#pragma once

#include "collectors/checks/dns/ldns.h"

#include <string>
#include <string_view>

namespace hostwatch {

std::string DnsRrText(const ldns_rr* rr);

// The parts, exposed for their tests.
std::string DnsNameText(const ldns_rdf* dname);                    // "mail.example.org.", "." for the root
std::string DnsCharacterStringText(std::string_view bytes);        // one TXT string, quoted
std::string DnsIp6Text(const unsigned char* bytes);                // 16 bytes, as miekg/dns's AAAA
std::string DnsClassText(int rr_class);

}  // namespace hostwatch
