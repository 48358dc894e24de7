#include "collectors/checks/dns/dns_rr_text.h"

#include <gtest/gtest.h>

#include <memory>

namespace hostwatch {
namespace {

struct RrFree {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};

// The record ldns reads from zone-file text (the wire form is the same whatever the text).
std::string TextOf(const char* zone_line) {
  ldns_rr* raw = nullptr;
  EXPECT_EQ(ldns_rr_new_frm_str(&raw, zone_line, 0, nullptr, nullptr), LDNS_STATUS_OK) << zone_line;
  std::unique_ptr<ldns_rr, RrFree> rr(raw);
  return rr ? DnsRrText(rr.get()) : "";
}

// The wanted texts are what blackbox_exporter (miekg/dns's RR.String()) logged
// as "Validating RR" for the same records served by dnsmasq, except where noted.
TEST(DnsRrTextTest, CommonTypesAsMiekgDnsPrintsThem) {
  struct Case {
    const char* zone_line;
    const char* want;
  } cases[] = {
      {"a.test. 600 IN A 10.0.0.1", "a.test.\t600\tIN\tA\t10.0.0.1"},
      {"h.test. 600 IN AAAA 2001:db8::1", "h.test.\t600\tIN\tAAAA\t2001:db8::1"},
      {"c.test. 600 IN CNAME h.test.", "c.test.\t600\tIN\tCNAME\th.test."},
      {"test. 600 IN MX 10 mail.test.", "test.\t600\tIN\tMX\t10 mail.test."},
      {"w.test. 600 IN TXT \"a\" \"b\"", "w.test.\t600\tIN\tTXT\t\"a\" \"b\""},
      {"test. 600 IN NS ns1.test.", "test.\t600\tIN\tNS\tns1.test."},
      {"test. 600 IN SOA ns1.test. hostmaster.test. 2024010101 1200 120 604800 600",
       "test.\t600\tIN\tSOA\tns1.test. hostmaster.test. 2024010101 1200 120 604800 600"},
      {"2.0.0.10.in-addr.arpa. 600 IN PTR h.test.", "2.0.0.10.in-addr.arpa.\t600\tIN\tPTR\th.test."},
      {"_sip._tcp.test. 600 IN SRV 1 2 5060 sip.test.", "_sip._tcp.test.\t600\tIN\tSRV\t1 2 5060 sip.test."},
      {". 0 IN NS a.root-servers.net.", ".\t0\tIN\tNS\ta.root-servers.net."},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TextOf(c.zone_line), c.want) << c.zone_line;
  }
}

// Where ldns_rr2str differs from miekg/dns, the text follows miekg/dns.
TEST(DnsRrTextTest, NormalisesWhereLdnsDiffers) {
  // A tab in a TXT string: ldns keeps it, miekg/dns writes \009 (seen in blackbox's log).
  EXPECT_EQ(TextOf("t.test. 600 IN TXT \"hello world\" \"x\\\"y\\\\z\" \"tab\\009\\195\\169\""),
            "t.test.\t600\tIN\tTXT\t\"hello world\" \"x\\\"y\\\\z\" \"tab\\009\\195\\169\"");
  // No trailing newline (ldns ends its text with one).
  EXPECT_EQ(TextOf("a.test. 1 IN A 1.2.3.4").back(), '4');
  // IPv4-mapped: blackbox 0.28's miekg/dns 1.1.68 prints ::ffff:1.2.3.4 (0.23's older one printed 1.2.3.4).
  EXPECT_EQ(TextOf("m.test. 600 IN AAAA ::ffff:1.2.3.4"), "m.test.\t600\tIN\tAAAA\t::ffff:1.2.3.4");
  // IPv4-compatible: Go writes hex groups, glibc's inet_ntop (ldns) the dotted form.
  EXPECT_EQ(TextOf("m.test. 600 IN AAAA ::1.2.3.4"), "m.test.\t600\tIN\tAAAA\t::102:304");
  // Class ANY is CLASS255 in miekg/dns (ANY is also a type name); CH stays CH.
  EXPECT_EQ(TextOf("v.bind. 0 CH TXT \"9.18\""), "v.bind.\t0\tCH\tTXT\t\"9.18\"");
  EXPECT_EQ(TextOf("a.test. 0 ANY A 1.2.3.4"), "a.test.\t0\tCLASS255\tA\t1.2.3.4");
  // A type neither knows by name: miekg/dns's RFC 3597 form, class as CLASSn too.
  EXPECT_EQ(TextOf("u.test. 60 IN TYPE65280 \\# 3 0a0b0c"), "u.test.\t60\tCLASS1\tTYPE65280\t\\# 3 0a0b0c");
}

TEST(DnsRrTextTest, EscapesNamesAsMiekgDns) {
  // Special bytes get a backslash, bytes outside 0x20-0x7e become \DDD; "." inside a label is escaped.
  EXPECT_EQ(TextOf("a\\.b.test. 1 IN CNAME x\\@y\\(z\\)\\;\\\"q\\\\.test."),
            "a\\.b.test.\t1\tIN\tCNAME\tx\\@y\\(z\\)\\;\\\"q\\\\.test.");
  EXPECT_EQ(TextOf("sp\\032ace.test. 1 IN PTR t\\009ab\\255.test."),
            "sp\\ ace.test.\t1\tIN\tPTR\tt\\009ab\\255.test.");
  EXPECT_EQ(TextOf("UPPER.Test. 1 IN A 1.2.3.4"), "UPPER.Test.\t1\tIN\tA\t1.2.3.4");  // case kept, as both do
}

TEST(DnsRrTextTest, Ip6TextIsGosNetIpString) {
  struct Case {
    unsigned char bytes[16];
    const char* want;
  } cases[] = {
      {{0}, "::"},
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
      {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, "2001:db8:0:1::1"},  // a single 0 stays
      {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, "2001:db8::1:0:0:1"},  // tie: the first run
      {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, "2001:db8:0:0:1::"},   // the longest run
      {{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55}, "fe80::211:22ff:fe33:4455"},
      {{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}, "1:2:3:4:5:6:7:8"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DnsIp6Text(c.bytes), c.want);
  }
}

}  // namespace
}  // namespace hostwatch
