#include "collectors/checks/module_checks.h"

#include <gtest/gtest.h>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "tests/unit/checks/module_checks_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// blackbox's example config modules, pasted as they are.
TEST(ModuleChecksTest, ParsesBlackboxTcpModulesAndOneCheckPerTarget) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = testing::ParseChecksYaml(R"(
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
  testing::ParseChecksYaml(R"(modules:
  a: {prober: tcp, tcp: {query_responce: []}}
  b: {prober: http, http: {}}
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
      "hw.yml:4:15: modules.c.prober: must be one of http, tcp, dns, icmp, grpc",
      "hw.yml:5:6: modules.d: prober is required",
      "hw.yml:6:45: modules.e.tcp.source_ip_address: must be an IPv4 or IPv6 address",
      "hw.yml:6:79: modules.e.tcp.query_response[0].expect: invalid regular expression: missing closing )",
      "hw.yml:8:13: checks[0].module: no such module in modules: (did you mean a?)",
      "hw.yml:12:15: checks[1].interval: must be above the module's timeout",
      "hw.yml:11:15: checks[1].targets[0]: must be host:port (missing port in address)",
      "hw.yml:11:14: checks[1].targets: a target is listed twice for this module",
      "hw.yml:14:5: checks[2].target: unknown key (known: module, targets, targets_files, interval, labels; did you "
      "mean targets?)",
      "hw.yml:13:5: checks[2]: targets or targets_files is required",
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
  testing::ParseChecksYaml(R"(http_checks:
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

// blackbox's own example http modules (example.yml), pasted as they are, with the
// file-reading keys blackbox has and http_checks has not.
TEST(ModuleChecksTest, ParsesBlackboxHttpModulesIntoHttpChecks) {
  testing::TempDir dir;
  dir.Write("pw", "s3cret\n");
  dir.Write("token", " t0ken \n");
  dir.Write("body.json", "{\"a\": 1}");
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = testing::ParseChecksYaml(R"(
modules:
  http_2xx:
    prober: http
    http:
      preferred_ip_protocol: "ip4"
  http_post_2xx:
    prober: http
    timeout: 5s
    http:
      method: POST
      headers: {Content-Type: application/json}
      body_file: )" + dir.path() + R"(/body.json
  http_basic_auth_example:
    prober: http
    http:
      method: POST
      headers: {Host: "login.example.com"}
      basic_auth: {username: "username", password_file: )" + dir.path() + R"(/pw}
  http_custom_ca_example:
    prober: http
    http:
      method: GET
      no_follow_redirects: true
      valid_status_codes: [200, 301]
      valid_http_versions: ["HTTP/1.1", "HTTP/2.0"]
      fail_if_not_ssl: true
      fail_if_body_not_matches_regexp: ["Copyright 2015"]
      fail_if_header_matches: [{header: Set-Cookie, allow_missing: true, regexp: '.*'}]
      authorization: {credentials_file: )" + dir.path() + R"(/token}
      http_headers: {X-Trace: {values: [a, b]}}
      tls_config: {insecure_skip_verify: true}
      enable_http2: false
      no_proxy: "localhost"
checks:
  - module: http_2xx
    targets: ["127.0.0.1:8080", "https://example.org/health?token=abc"]
  - module: http_post_2xx
    targets: ["http://127.0.0.1:8080/post"]
)",
                             &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(c.module_checks.size(), 3u);
  const CheckSpec& plain = *c.module_checks[0];
  EXPECT_EQ(plain.prober, ProberKind::kHttp);
  EXPECT_TRUE(plain.from_module);
  EXPECT_EQ(plain.name, "http_2xx");
  EXPECT_EQ(plain.target, "127.0.0.1:8080");
  EXPECT_EQ(plain.http->url, "http://127.0.0.1:8080");  // blackbox's http:// for a target without a scheme
  EXPECT_EQ(plain.http->preferred_ip_protocol, "ip4");
  EXPECT_TRUE(plain.http->tls.export_chain_info);  // blackbox always exports probe_ssl_last_chain_info
  EXPECT_EQ(KeyOf(plain), (CheckKey{"http_2xx", "127.0.0.1:8080"}));
  EXPECT_EQ(c.module_checks[1]->target, "https://example.org/health?token=xxxxx");
  EXPECT_EQ(c.module_checks[1]->http->url, "https://example.org/health?token=abc");
  const HttpCheckConfig& post = *c.module_checks[2]->http;
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.body, "{\"a\": 1}");
  EXPECT_EQ(post.timeout.count(), 5000);
  EXPECT_EQ(post.preferred_ip_protocol, "ip6");  // blackbox's default
  const HttpCheckConfig& auth = *c.modules.at("http_basic_auth_example")->http;
  ASSERT_TRUE(auth.basic_auth.has_value());
  EXPECT_EQ(auth.basic_auth->password, "s3cret");
  const HttpCheckConfig& ca = *c.modules.at("http_custom_ca_example")->http;
  EXPECT_FALSE(ca.follow_redirects);
  EXPECT_TRUE(ca.fail_if_not_ssl);
  EXPECT_FALSE(ca.enable_http2);
  EXPECT_EQ(ca.no_proxy, "localhost");
  EXPECT_TRUE(ca.tls.insecure_skip_verify);
  ASSERT_EQ(ca.valid_status_codes.size(), 2u);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer t0ken"}, {"X-Trace", "a"}, {"X-Trace", "b"}};
  EXPECT_EQ(ca.headers, headers);
  EXPECT_EQ(c.modules.size(), 4u);
}

// Unknown keys get the nearest spelling; keys blackbox has and hostwatch does not run, the reason.
TEST(ModuleChecksTest, RefusesUnsupportedAndUnknownHttpKeys) {
  ConfigDiagnostics diag("hw.yml");
  testing::ParseChecksYaml(R"(modules:
  a: {prober: http, http: {valid_status_code: [200]}}
  b: {prober: http, http: {oauth2: {client_id: x}}}
  c: {prober: http, http: {fail_if_body_json_matches_cel: "x"}}
  d: {prober: http, http: {body: x, body_file: /nonexistent/body}}
  e: {prober: http, http: {basic_auth: {username: u}, bearer_token: t}}
checks:
  - module: a
    targets: ["ftp://x/"]
)",
        &diag);
  std::vector<std::string> got;
  for (const ConfigError& e : diag.errors()) {
    got.push_back(e.ToString());
  }
  ASSERT_EQ(got.size(), 7u) << diag.ToString();
  EXPECT_NE(got[0].find("hw.yml:2:28: modules.a.http.valid_status_code: unknown key (known: valid_status_codes,"),
            std::string::npos) << got[0];
  EXPECT_NE(got[0].find("did you mean valid_status_codes?"), std::string::npos) << got[0];
  EXPECT_EQ(got[1], "hw.yml:3:36: modules.b.http.oauth2: not supported (use authorization, bearer_token_file or basic_auth)");
  EXPECT_EQ(got[2], "hw.yml:4:59: modules.c.http.fail_if_body_json_matches_cel: not supported (CEL expressions); use "
                    "fail_if_body_matches_regexp");
  EXPECT_EQ(got[3], "hw.yml:5:48: modules.d.http.body_file: cannot read the file: No such file or directory");
  EXPECT_EQ(got[4], "hw.yml:5:27: modules.d.http: at most one of body and body_file may be set");
  EXPECT_EQ(got[5], "hw.yml:6:27: modules.e.http: at most one of basic_auth, authorization, bearer_token and "
                    "bearer_token_file may be set");
  EXPECT_EQ(got[6], "hw.yml:9:15: checks[0].targets[0]: must be a URL (must start with http:// or https://)");
}

TEST(ModuleChecksTest, TargetsFilesEntriesKeepTheirModule) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = testing::ParseChecksYaml(R"(modules: {t: {prober: tcp}}
checks:
  - module: t
    targets_files: ["/etc/hostwatch/targets/*.yml"]
    interval: 15s
    labels: {team: db}
  - module: t
    targets_files: []
)",
                             &diag);
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_EQ(diag.errors()[0].ToString(), "hw.yml:8:20: checks[1].targets_files: must list at least one file or glob");
  ASSERT_EQ(c.targets_files.size(), 1u);
  EXPECT_EQ(c.targets_files[0]->module, "t");
  EXPECT_EQ(c.targets_files[0]->interval.count(), 15000);
  EXPECT_EQ(c.targets_files[0]->patterns, std::vector<std::string>{"/etc/hostwatch/targets/*.yml"});
  EXPECT_TRUE(c.module_checks.empty());
}

}  // namespace
}  // namespace hostwatch
