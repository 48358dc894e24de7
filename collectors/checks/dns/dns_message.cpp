#include "collectors/checks/dns/dns_message.h"

#include "collectors/checks/dns/ldns.h"

#include <cstdlib>
#include <memory>

#include "collectors/checks/dns/dns_rr_text.h"

namespace hostwatch {
namespace {

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RdfFree {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;

struct Named {
  std::string_view name;
  int value;
};

// miekg/dns's RcodeToString reversed (StringToRcode), plus its extra NOTIMPL.
const std::vector<Named>& Rcodes() {
  static const std::vector<Named> kRcodes = {
      {"NOERROR", 0},  {"FORMERR", 1},  {"SERVFAIL", 2},  {"NXDOMAIN", 3},   {"NOTIMP", 4},    {"NOTIMPL", 4},
      {"REFUSED", 5},  {"YXDOMAIN", 6}, {"YXRRSET", 7},   {"NXRRSET", 8},    {"NOTAUTH", 9},   {"NOTZONE", 10},
      {"DSOTYPENI", 11}, {"BADSIG", 16}, {"BADKEY", 17},  {"BADTIME", 18},   {"BADMODE", 19},  {"BADNAME", 20},
      {"BADALG", 21},  {"BADTRUNC", 22}, {"BADCOOKIE", 23}};
  return kRcodes;
}

std::string Fqdn(const std::string& name) { return !name.empty() && name.back() == '.' ? name : name + "."; }

RdfPtr NameRdf(const std::string& name) { return RdfPtr(ldns_dname_new_frm_str(Fqdn(name).c_str())); }

std::vector<std::string> Texts(const ldns_rr_list* list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
    out.push_back(DnsRrText(ldns_rr_list_rr(list, i)));
  }
  return out;
}

// The question must be ours when there is one (miekg/dns checks only the id; a
// stray or spoofed datagram with our id and another question is not the answer).
bool QuestionMatches(const ldns_pkt* pkt, const DnsQuestion& q) {
  const ldns_rr_list* question = ldns_pkt_question(pkt);
  if (ldns_rr_list_rr_count(question) == 0) {
    return true;
  }
  if (ldns_rr_list_rr_count(question) != 1) {
    return false;
  }
  const ldns_rr* rr = ldns_rr_list_rr(question, 0);
  RdfPtr want = NameRdf(q.name);
  return want && ldns_dname_compare(ldns_rr_owner(rr), want.get()) == 0 && ldns_rr_get_type(rr) == q.type &&
         ldns_rr_get_class(rr) == q.qclass;
}

}  // namespace

std::optional<std::uint16_t> DnsTypeByName(std::string_view name) {
  const std::string text(name);
  const ldns_rr_type type = ldns_get_rr_type_by_name(text.c_str());
  // ldns also takes lower case and "TYPE15"; miekg/dns's StringToType only its exact mnemonics.
  const ldns_rr_descriptor* d = ldns_rr_descript(static_cast<std::uint16_t>(type));
  const bool meta = type == LDNS_RR_TYPE_ANY || type == LDNS_RR_TYPE_AXFR || type == LDNS_RR_TYPE_IXFR ||
                    type == LDNS_RR_TYPE_MAILA || type == LDNS_RR_TYPE_MAILB;
  if (type == 0 || text.empty() || text.rfind("TYPE", 0) == 0) {
    return std::nullopt;
  }
  if (meta || (d != nullptr && d->_name != nullptr && text == d->_name)) {
    for (char c : text) {
      if (c >= 'a' && c <= 'z') {
        return std::nullopt;
      }
    }
    return static_cast<std::uint16_t>(type);
  }
  return std::nullopt;
}

std::optional<std::uint16_t> DnsClassByName(std::string_view name) {
  static const std::vector<Named> kClasses = {{"IN", 1}, {"CS", 2}, {"CH", 3}, {"HS", 4}, {"NONE", 254}, {"ANY", 255}};
  for (const Named& c : kClasses) {
    if (c.name == name) {
      return static_cast<std::uint16_t>(c.value);
    }
  }
  return std::nullopt;
}

std::optional<int> DnsRcodeByName(std::string_view name) {
  for (const Named& r : Rcodes()) {
    if (r.name == name) {
      return r.value;
    }
  }
  return std::nullopt;
}

const std::vector<std::string_view>& DnsRcodeNames() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names;
    for (const Named& r : Rcodes()) {
      names.push_back(r.name);
    }
    return names;
  }();
  return kNames;
}

bool IsValidQueryName(const std::string& name) { return !name.empty() && NameRdf(name) != nullptr; }

std::string BuildDnsQuery(const DnsQuestion& q, std::uint16_t id) {
  RdfPtr name = NameRdf(q.name);
  if (!name) {
    return "";
  }
  PktPtr pkt(ldns_pkt_query_new(name.release(), static_cast<ldns_rr_type>(q.type),
                                static_cast<ldns_rr_class>(q.qclass), q.recursion_desired ? LDNS_RD : 0));
  if (!pkt) {
    return "";
  }
  ldns_pkt_set_id(pkt.get(), id);
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&wire, pkt.get(), &size) != LDNS_STATUS_OK) {
    return "";
  }
  std::string out(reinterpret_cast<const char*>(wire), size);
  std::free(wire);
  return out;
}

DnsParse ParseDnsResponse(std::string_view wire, const DnsQuestion& q, std::uint16_t id, DnsResponse* out,
                          std::string* why) {
  ldns_pkt* raw = nullptr;
  const ldns_status status = ldns_wire2pkt(&raw, reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size());
  PktPtr pkt(raw);
  if (status != LDNS_STATUS_OK || !pkt) {
    *why = std::string("malformed DNS message: ") + ldns_get_errorstr_by_id(status);
    return DnsParse::kMalformed;
  }
  if (ldns_pkt_id(pkt.get()) != id || !ldns_pkt_qr(pkt.get()) || !QuestionMatches(pkt.get(), q)) {
    *why = "a message that is not the answer to this query (id, QR bit or question differ)";
    return DnsParse::kNotOurs;
  }
  DnsResponse r;
  r.rcode = ldns_pkt_get_rcode(pkt.get());
  if (ldns_pkt_edns(pkt.get())) {
    r.rcode |= static_cast<int>(ldns_pkt_edns_extended_rcode(pkt.get())) << 4;
  }
  r.answer = Texts(ldns_pkt_answer(pkt.get()));
  r.authority = Texts(ldns_pkt_authority(pkt.get()));
  r.additional = Texts(ldns_pkt_additional(pkt.get()));
  if (ldns_pkt_edns(pkt.get())) {
    // ldns takes the OPT record out of the additional section; miekg/dns keeps it there (and blackbox counts it).
    r.additional.push_back(";EDNS OPT pseudo-record (udp " + std::to_string(ldns_pkt_edns_udp_size(pkt.get())) + ")");
  }
  const ldns_rr_list* answer = ldns_pkt_answer(pkt.get());
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3) {
      r.soa_serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
    }
  }
  *out = std::move(r);
  return DnsParse::kOk;
}

}  // namespace hostwatch
