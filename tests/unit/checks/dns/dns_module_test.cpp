#include "collectors/checks/dns/dns_module.h"

#include <gtest/gtest.h>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/module_checks.h"
#include "tests/unit/checks/module_checks_test_util.h"

namespace hostwatch {
namespace {

// blackbox's example.yml dns modules, pasted as they are, plus every key once.
TEST(DnsModuleTest, ParsesBlackboxModulesWithItsDefaults) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = testing::ParseChecksYaml(R"(
modules:
  dns_udp_example:
    prober: dns
    timeout: 5s
    dns:
      query_name: "www.prometheus.io"
      query_type: "A"
      valid_rcodes:
      - NOERROR
      validate_answer_rrs:
        fail_if_matches_regexp:
        - ".*127.0.0.1"
        fail_if_all_match_regexp:
        - ".*127.0.0.1"
        fail_if_not_matches_regexp:
        - "www.prometheus.io.\t300\tIN\tA\t127.0.0.1"
        fail_if_none_matches_regexp:
        - "127.0.0.1"
      validate_authority_rrs:
        fail_if_matches_regexp:
        - ".*127.0.0.1"
      validate_additional_rrs:
        fail_if_matches_regexp:
        - ".*127.0.0.1"
  dns_soa:
    prober: dns
    dns:
      query_name: "prometheus.io"
      query_type: "SOA"
  dns_tcp_dot:
    prober: dns
    dns:
      transport_protocol: "tcp"
      dns_over_tls: true
      tls_config: {server_name: dns.example, insecure_skip_verify: true}
      preferred_ip_protocol: "ip4"
      ip_protocol_fallback: false
      source_ip_address: 127.0.0.1
      query_name: "example.org."
      query_class: "CH"
      recursion_desired: false
      valid_rcodes: [NOERROR, NXDOMAIN]
checks:
  - module: dns_udp_example
    targets: ["127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:53", "ns1.example"]
  - module: dns_tcp_dot
    targets: ["dns.example"]
)",
                             &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(c.module_checks.size(), 6u);
  const CheckSpec& udp = *c.module_checks[0];
  EXPECT_EQ(udp.prober, ProberKind::kDns);
  EXPECT_EQ(udp.target, "127.0.0.1");
  EXPECT_EQ(udp.timeout.count(), 5000);
  ASSERT_NE(udp.dns, nullptr);
  const DnsModule& m = *udp.dns;
  EXPECT_EQ(m.query_name, "www.prometheus.io");
  EXPECT_EQ(m.query_type, 1);
  EXPECT_EQ(m.query_class, 1);
  EXPECT_TRUE(m.recursion_desired);
  EXPECT_FALSE(m.tcp);
  EXPECT_EQ(m.valid_rcodes, std::vector<int>{0});
  EXPECT_EQ(m.validate_answer.fail_if_matches.size(), 1u);
  EXPECT_EQ(m.validate_answer.fail_if_not_matches[0].pattern, "www.prometheus.io.\t300\tIN\tA\t127.0.0.1");
  EXPECT_EQ(m.validate_additional.fail_if_matches.size(), 1u);
  EXPECT_EQ(m.preferred_ip_protocol, "ip6");
  EXPECT_TRUE(m.ip_protocol_fallback);
  const DnsModule& dot = *c.module_checks[5]->dns;
  EXPECT_TRUE(dot.tcp);
  EXPECT_TRUE(dot.dns_over_tls);
  EXPECT_EQ(dot.tls_config.server_name, "dns.example");
  EXPECT_EQ(dot.query_class, 3);
  EXPECT_FALSE(dot.recursion_desired);
  EXPECT_FALSE(dot.ip_protocol_fallback);
  EXPECT_EQ(dot.valid_rcodes, (std::vector<int>{0, 3}));
  EXPECT_EQ(dot.query_type, 255);  // blackbox's default: ANY
}

TEST(DnsModuleTest, ReportsEveryProblemWithItsPosition) {
  ConfigDiagnostics diag("hw.yml");
  testing::ParseChecksYaml(R"(modules:
  a: {prober: dns, dns: {query_nme: x}}
  b: {prober: dns}
  c: {prober: dns, dns: {query_name: x, query_type: mx, query_class: IM, valid_rcodes: [NXDOMIAN]}}
  d: {prober: dns, dns: {query_name: x, dns_over_tls: true, transport_protocol: quic}}
  e: {prober: dns, dns: {query_name: "bü.example", validate_answer_rrs: {fail_if_matches_regex: ["("]}}}
  f: {prober: dns, dns: {query_name: x, validate_authority_rrs: {fail_if_matches_regexp: ["("]}}}
checks:
  - module: f
    targets: ["h:99999", ":53"]
)",
        &diag);
  const std::vector<std::string> want = {
      "hw.yml:2:26: modules.a.dns.query_nme: unknown key (known: query_name, query_type, query_class, "
      "recursion_desired, transport_protocol, dns_over_tls, tls_config, valid_rcodes, validate_answer_rrs, "
      "validate_authority_rrs, validate_additional_rrs, preferred_ip_protocol, ip_protocol_fallback, "
      "source_ip_address; did you mean query_name?)",
      "hw.yml:2:25: modules.a.dns: query_name is required (blackbox: \"query name must be set for DNS module\")",
      "hw.yml:3:6: modules.b: a dns module needs dns: with at least query_name",
      "hw.yml:4:53: modules.c.dns.query_type: unknown query type (spelled as blackbox spells it, in upper case, "
      "e.g. A, AAAA, MX, SOA)",
      "hw.yml:4:70: modules.c.dns.query_class: unknown query class (spelled as blackbox spells it, in upper case, "
      "e.g. IN, CH)",
      "hw.yml:4:89: modules.c.dns.valid_rcodes[0]: unknown rcode (known: NOERROR, FORMERR, SERVFAIL, NXDOMAIN, "
      "NOTIMP, NOTIMPL, REFUSED, YXDOMAIN, YXRRSET, NXRRSET, NOTAUTH, NOTZONE, DSOTYPENI, BADSIG, BADKEY, BADTIME, "
      "BADMODE, BADNAME, BADALG, BADTRUNC, BADCOOKIE); did you mean NXDOMAIN?",
      "hw.yml:5:81: modules.d.dns.transport_protocol: must be one of udp, tcp",
      "hw.yml:5:55: modules.d.dns.dns_over_tls: needs transport_protocol: tcp (DNS over TLS runs on TCP)",
      "hw.yml:6:38: modules.e.dns.query_name: must be ASCII (write an internationalised name in its xn-- form)",
      "hw.yml:6:75: modules.e.dns.validate_answer_rrs.fail_if_matches_regex: unknown key (known: "
      "fail_if_matches_regexp, fail_if_all_match_regexp, fail_if_not_matches_regexp, fail_if_none_matches_regexp; "
      "did you mean fail_if_matches_regexp?)",
      "hw.yml:7:91: modules.f.dns.validate_authority_rrs.fail_if_matches_regexp[0]: invalid regular expression: "
      "missing closing )",
      "hw.yml:10:15: checks[0].targets[0]: must be host, host:port or [v6]:port (the port must be a number from 1 "
      "to 65535)",
      "hw.yml:10:26: checks[0].targets[1]: must be host, host:port or [v6]:port (no host)",
  };
  EXPECT_EQ(testing::ConfigErrorStrings(diag), want);
}

TEST(DnsModuleTest, SplitsTargetsAsBlackbox) {
  struct Case {
    const char* target;
    bool dot;
    const char* host;
    int port;
  } cases[] = {
      {"ns1.example", false, "ns1.example", 53}, {"ns1.example", true, "ns1.example", 853},
      {"ns1.example:5353", false, "ns1.example", 5353}, {"::1", false, "::1", 53},
      {"[::1]:54", false, "::1", 54}, {"[::1]", true, "::1", 853},
      {"127.0.0.1:53", true, "127.0.0.1", 53},
  };
  for (const Case& c : cases) {
    std::string host, why;
    int port = 0;
    ASSERT_TRUE(SplitDnsTarget(c.target, c.dot, &host, &port, &why)) << c.target << ": " << why;
    EXPECT_EQ(host, c.host) << c.target;
    EXPECT_EQ(port, c.port) << c.target;
  }
  std::string host, why;
  int port = 0;
  EXPECT_FALSE(SplitDnsTarget("h:0", false, &host, &port, &why));
  EXPECT_FALSE(SplitDnsTarget("h:x", false, &host, &port, &why));
  EXPECT_FALSE(SplitDnsTarget("", false, &host, &port, &why));
}

}  // namespace
}  // namespace hostwatch
