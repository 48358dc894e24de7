// libFuzzer target: what a dns check does with the bytes a DNS server (or
// anyone who can send a datagram to its socket) returns. The input is one
// message: ParseDnsResponse reads it with ldns as the answer to a fixed query
// (whose id is taken from the input's first two bytes, so the fuzzer reaches
// past the id check), writes every record's text (dns_rr_text) and the
// verdict judges it with every kind of validate_*_rrs rule. Must not crash,
// hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "collectors/checks/dns/dns_message.h"
#include "collectors/checks/dns/dns_verdict.h"

namespace {

hostwatch::CheckRegex Re(const char* pattern) { return {pattern, std::make_shared<re2::RE2>(pattern)}; }

const hostwatch::DnsModule& Module() {
  static const hostwatch::DnsModule module = [] {
    hostwatch::DnsModule m;
    m.query_name = "example.org";
    m.query_type = 15;
    m.valid_rcodes = {0, 3};
    m.validate_answer = {{Re("\\tA\\t10\\.")}, {Re("IN")}, {Re("example")}, {Re("MX")}};
    m.validate_authority = {{}, {}, {}, {Re("SOA")}};
    m.validate_additional = {{Re("\\\\[0-9]{3}")}, {}, {}, {}};
    return m;
  }();
  return module;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view wire(reinterpret_cast<const char*>(data), size);
  const std::uint16_t id = size >= 2 ? static_cast<std::uint16_t>((data[0] << 8) | data[1]) : 0;
  const hostwatch::DnsModule& m = Module();
  const hostwatch::DnsQuestion question{m.query_name, m.query_type, m.query_class, m.recursion_desired};
  hostwatch::DnsResponse response;
  std::string why;
  if (hostwatch::ParseDnsResponse(wire, question, id, &response, &why) == hostwatch::DnsParse::kOk) {
    hostwatch::JudgeDnsResponse(m, response);
  }
  return 0;
}
