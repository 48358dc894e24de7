#include "collectors/checks/module_checks.h"

#include <gtest/gtest.h>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/tcp/tcp_module.h"

namespace hostwatch {
namespace {

HttpChecksConfig Parse(const std::string& yaml, ConfigDiagnostics* diag) {
  YAML::Node root = YAML::Load(yaml);
  HttpChecksConfig out = ParseHttpChecksConfig(root["http_checks"], diag);
  ParseModuleChecks(root["modules"], root["checks"], &out, diag);
  return out;
}

// blackbox's example config modules, pasted as they are.
TEST(ModuleChecksTest, ParsesBlackboxTcpModulesAndOneCheckPerTarget) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = Parse(R"(
modules:
  tcp_connect:
    prober: tcp
  ssh_banner:
    prober: tcp
    timeout: 5s
    tcp:
      query_response:
      - expect: "^SSH-2.0-"
      - send: "SSH-2.0-blackbox-ssh-check"
  smtp_starttls:
    prober: tcp
    tcp:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      source_ip_address: 127.0.0.1
      tls_config: {insecure_skip_verify: true}
      query_response:
        - expect: "^220 ([^ ]+) ESMTP (.+)$"
          send: "EHLO prober\r"
        - expect: "^250-STARTTLS"
          send: "STARTTLS\r"
        - expect: "^220"
          starttls: true
checks:
  - module: ssh_banner
    targets: ["db1:22", "[::1]:22"]
    interval: 30s
    labels: {team: db}
  - module: smtp_starttls
    targets: ["mail:25"]
)",
                             &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(c.module_checks.size(), 3u);
  const CheckSpec& first = *c.module_checks[0];
  EXPECT_EQ(first.prober, ProberKind::kTcp);
  EXPECT_EQ(first.name, "ssh_banner");
  EXPECT_EQ(first.target, "db1:22");
  EXPECT_EQ(first.interval.count(), 30000);
  EXPECT_EQ(first.timeout.count(), 5000);
  EXPECT_EQ(first.labels.at("team"), "db");
  EXPECT_EQ(first.tcp->preferred_ip_protocol, "ip6");  // blackbox's default
  EXPECT_TRUE(first.tcp->ip_protocol_fallback);
  ASSERT_EQ(first.tcp->query_response.size(), 2u);
  EXPECT_EQ(first.tcp->query_response[0].expect.pattern, "^SSH-2.0-");
  EXPECT_EQ(first.tcp->query_response[1].send, "SSH-2.0-blackbox-ssh-check");
  EXPECT_EQ(c.module_checks[1]->target, "[::1]:22");
  EXPECT_NE(first.fingerprint, c.module_checks[1]->fingerprint);
  const CheckSpec& smtp = *c.module_checks[2];
  EXPECT_EQ(smtp.timeout.count(), 10000);
  EXPECT_EQ(smtp.interval.count(), 60000);
  EXPECT_EQ(smtp.tcp->preferred_ip_protocol, "ip4");
  EXPECT_FALSE(smtp.tcp->ip_protocol_fallback);
  EXPECT_TRUE(smtp.tcp->tls_config.insecure_skip_verify);
  EXPECT_TRUE(smtp.tcp->query_response[2].starttls);
}

// Every problem at once, file:line:column: key: reason, and no value quoted.
TEST(ModuleChecksTest, ReportsEveryProblemWithItsPosition) {
  ConfigDiagnostics diag("hw.yml");
  Parse(R"(modules:
  a: {prober: tcp, tcp: {query_responce: []}}
  b: {prober: http}
  c: {prober: smtp}
  d: {timeout: 5s}
  e: {prober: tcp, tcp: {source_ip_address: s3cret, query_response: [{expect: "(x"}]}}
checks:
  - module: aa
    targets: ["h:1"]
  - module: a
    targets: ["nohost", "h:1", "h:1"]
    interval: 5s
  - module: a
    target: ["h:1"]
)",
        &diag);
  const std::vector<std::string> want = {
      "hw.yml:2:26: modules.a.tcp.query_responce: unknown key (known: preferred_ip_protocol, ip_protocol_fallback, "
      "source_ip_address, query_response, tls, tls_config; did you mean query_response?)",
      "hw.yml:3:15: modules.b.prober: not yet: use http_checks for HTTP (its keys are blackbox's http module keys)",
      "hw.yml:4:15: modules.c.prober: must be one of http, tcp, dns, icmp, grpc",
      "hw.yml:5:6: modules.d: prober is required",
      "hw.yml:6:45: modules.e.tcp.source_ip_address: must be an IPv4 or IPv6 address",
      "hw.yml:6:79: modules.e.tcp.query_response[0].expect: invalid regular expression: missing closing )",
      "hw.yml:8:13: checks[0].module: no such module in modules: (did you mean a?)",
      "hw.yml:11:15: checks[1].targets[0]: must be host:port (missing port in address)",
      "hw.yml:12:15: checks[1].interval: must be above the module's timeout",
      "hw.yml:11:14: checks[1].targets: a target is listed twice for this module",
      "hw.yml:14:5: checks[2].target: unknown key (known: module, targets, interval, labels; did you mean targets?)",
      "hw.yml:13:5: checks[2]: targets is required",
  };
  std::vector<std::string> got;
  for (const ConfigError& e : diag.errors()) {
    got.push_back(e.ToString());
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(diag.ToString().find("s3cret"), std::string::npos);
}

TEST(ModuleChecksTest, RefusesAModuleNamedLikeAnHttpCheck) {
  ConfigDiagnostics diag("hw.yml");
  Parse(R"(http_checks:
  checks: [{name: web, url: "http://127.0.0.1:1/"}]
modules: {web: {prober: tcp}}
checks: [{module: web, targets: ["h:1"]}]
)",
        &diag);
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_EQ(diag.errors()[0].ToString(), "hw.yml:4:19: checks[0].module: an HTTP check in http_checks has this name");
}

TEST(ModuleChecksTest, SplitHostPortAsGo) {
  std::string host, port, why;
  EXPECT_TRUE(SplitHostPort("[::1]:22", &host, &port, &why));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, "22");
  EXPECT_TRUE(SplitHostPort("db1:22", &host, &port, &why));
  EXPECT_EQ(host, "db1");
  EXPECT_FALSE(SplitHostPort("db1", &host, &port, &why));
  EXPECT_EQ(why, "missing port in address");
  EXPECT_FALSE(SplitHostPort("::1:22", &host, &port, &why));
  EXPECT_EQ(why, "too many colons in address");
}

}  // namespace
}  // namespace hostwatch
