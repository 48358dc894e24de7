#include "collectors/checks/dns/dns_message.h"

#include <gtest/gtest.h>
#include "collectors/checks/dns/ldns.h"

#include <cstdlib>
#include <memory>

namespace hostwatch {
namespace {

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

const DnsQuestion kMx{"example.org", 15, 1, true};

// A response as a server would send it: the query's question, QR set, the given records (zone-file lines).
std::string Response(std::uint16_t id, const DnsQuestion& q, int rcode, const std::vector<const char*>& answer,
                     const std::vector<const char*>& authority = {}, bool edns = false) {
  PktPtr pkt(ldns_pkt_query_new(ldns_dname_new_frm_str((q.name + ".").c_str()), static_cast<ldns_rr_type>(q.type),
                                static_cast<ldns_rr_class>(q.qclass), LDNS_QR | LDNS_RD | LDNS_RA));
  ldns_pkt_set_id(pkt.get(), id);
  ldns_pkt_set_rcode(pkt.get(), static_cast<std::uint8_t>(rcode));
  for (auto [section, lines] : {std::pair{LDNS_SECTION_ANSWER, answer}, std::pair{LDNS_SECTION_AUTHORITY, authority}}) {
    for (const char* line : lines) {
      ldns_rr* rr = nullptr;
      EXPECT_EQ(ldns_rr_new_frm_str(&rr, line, 0, nullptr, nullptr), LDNS_STATUS_OK) << line;
      ldns_pkt_push_rr(pkt.get(), section, rr);
    }
  }
  if (edns) {
    ldns_pkt_set_edns_udp_size(pkt.get(), 1232);
  }
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, pkt.get(), &size), LDNS_STATUS_OK);
  std::string out(reinterpret_cast<const char*>(wire), size);
  std::free(wire);
  return out;
}

TEST(DnsMessageTest, NamesAreMiekgDnsNames) {
  EXPECT_EQ(DnsTypeByName("MX"), 15);
  EXPECT_EQ(DnsTypeByName("AAAA"), 28);
  EXPECT_EQ(DnsTypeByName("ANY"), 255);
  EXPECT_EQ(DnsTypeByName("SOA"), 6);
  EXPECT_EQ(DnsTypeByName("mx"), std::nullopt);  // blackbox's lookup is case-sensitive
  EXPECT_EQ(DnsTypeByName("TYPE15"), std::nullopt);
  EXPECT_EQ(DnsTypeByName("MXX"), std::nullopt);
  EXPECT_EQ(DnsTypeByName(""), std::nullopt);
  EXPECT_EQ(DnsClassByName("IN"), 1);
  EXPECT_EQ(DnsClassByName("CH"), 3);
  EXPECT_EQ(DnsClassByName("in"), std::nullopt);
  EXPECT_EQ(DnsRcodeByName("NXDOMAIN"), 3);
  EXPECT_EQ(DnsRcodeByName("NOTIMPL"), 4);
  EXPECT_EQ(DnsRcodeByName("BADSIG"), 16);
  EXPECT_EQ(DnsRcodeByName("nxdomain"), std::nullopt);
  EXPECT_TRUE(IsValidQueryName("example.org"));
  EXPECT_TRUE(IsValidQueryName("example.org."));
  EXPECT_FALSE(IsValidQueryName(std::string(64, 'a') + ".org"));
  EXPECT_FALSE(IsValidQueryName(""));
}

TEST(DnsMessageTest, BuildsTheQueryBlackboxSends) {
  const std::string wire = BuildDnsQuery(kMx, 0x1234);
  ldns_pkt* raw = nullptr;
  ASSERT_EQ(ldns_wire2pkt(&raw, reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()), LDNS_STATUS_OK);
  PktPtr pkt(raw);
  EXPECT_EQ(ldns_pkt_id(pkt.get()), 0x1234);
  EXPECT_TRUE(ldns_pkt_rd(pkt.get()));
  EXPECT_FALSE(ldns_pkt_qr(pkt.get()));
  EXPECT_FALSE(ldns_pkt_edns(pkt.get()));  // miekg/dns's plain Msg: no OPT record
  ASSERT_EQ(ldns_pkt_qdcount(pkt.get()), 1);
  const ldns_rr* q = ldns_rr_list_rr(ldns_pkt_question(pkt.get()), 0);
  char* name = ldns_rdf2str(ldns_rr_owner(q));
  EXPECT_STREQ(name, "example.org.");  // dns.Fqdn
  std::free(name);
  EXPECT_EQ(ldns_rr_get_type(q), LDNS_RR_TYPE_MX);
  EXPECT_EQ(ldns_rr_get_class(q), LDNS_RR_CLASS_IN);

  DnsQuestion no_rd = kMx;
  no_rd.recursion_desired = false;
  const std::string wire2 = BuildDnsQuery(no_rd, 1);
  ASSERT_GT(wire2.size(), 3u);
  EXPECT_EQ(static_cast<unsigned char>(wire2[2]) & 0x01, 0);  // RD bit clear
  EXPECT_EQ(BuildDnsQuery(DnsQuestion{std::string(64, 'a'), 1, 1, true}, 1), "");
}

TEST(DnsMessageTest, ReadsTheAnswerSectionsAndSerial) {
  const DnsQuestion soa{"example.org", 6, 1, true};
  DnsResponse r;
  std::string why;
  ASSERT_EQ(ParseDnsResponse(Response(7, soa, 0, {"example.org. 300 IN SOA ns. host. 2024060101 1 2 3 4"},
                                      {"example.org. 300 IN NS ns."}),
                             soa, 7, &r, &why),
            DnsParse::kOk)
      << why;
  EXPECT_EQ(r.rcode, 0);
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(r.answer[0], "example.org.\t300\tIN\tSOA\tns. host. 2024060101 1 2 3 4");
  EXPECT_EQ(r.authority, std::vector<std::string>{"example.org.\t300\tIN\tNS\tns."});
  EXPECT_TRUE(r.additional.empty());
  EXPECT_EQ(r.soa_serial, 2024060101u);
}

// An OPT record is counted in the additional section, as miekg/dns keeps it there.
TEST(DnsMessageTest, CountsAnOptRecordAsAdditional) {
  DnsResponse r;
  std::string why;
  ASSERT_EQ(ParseDnsResponse(Response(9, kMx, 3, {}, {}, true), kMx, 9, &r, &why), DnsParse::kOk) << why;
  EXPECT_EQ(r.rcode, 3);
  EXPECT_EQ(r.additional.size(), 1u);
  EXPECT_FALSE(r.soa_serial.has_value());
}

TEST(DnsMessageTest, TellsOtherMessagesFromTheAnswer) {
  DnsResponse r;
  std::string why;
  EXPECT_EQ(ParseDnsResponse(Response(8, kMx, 0, {}), kMx, 7, &r, &why), DnsParse::kNotOurs);  // another id
  const DnsQuestion other{"example.net", 15, 1, true};
  EXPECT_EQ(ParseDnsResponse(Response(7, other, 0, {}), kMx, 7, &r, &why), DnsParse::kNotOurs);  // another name
  const DnsQuestion a{"example.org", 1, 1, true};
  EXPECT_EQ(ParseDnsResponse(Response(7, a, 0, {}), kMx, 7, &r, &why), DnsParse::kNotOurs);  // another type
  EXPECT_EQ(ParseDnsResponse(BuildDnsQuery(kMx, 7), kMx, 7, &r, &why), DnsParse::kNotOurs);  // our query, reflected
  const DnsQuestion upper{"EXAMPLE.ORG", 15, 1, true};
  EXPECT_EQ(ParseDnsResponse(Response(7, upper, 0, {}), kMx, 7, &r, &why), DnsParse::kOk);  // names ignore case
  EXPECT_EQ(ParseDnsResponse("", kMx, 7, &r, &why), DnsParse::kMalformed);
  EXPECT_EQ(ParseDnsResponse(Response(7, kMx, 0, {"example.org. 1 IN MX 1 m."}).substr(0, 40), kMx, 7, &r, &why),
            DnsParse::kMalformed);
  EXPECT_NE(why, "");
}

// Some servers answer FORMERR without echoing the question; miekg/dns takes it by its id.
TEST(DnsMessageTest, TakesAnAnswerWithoutQuestionByItsId) {
  std::string wire = std::string("\x00\x07\x81\x01", 4) + std::string(8, '\0');  // id 7, QR RD, rcode FORMERR, no sections
  DnsResponse r;
  std::string why;
  ASSERT_EQ(ParseDnsResponse(wire, kMx, 7, &r, &why), DnsParse::kOk) << why;
  EXPECT_EQ(r.rcode, 1);
}

}  // namespace
}  // namespace hostwatch
