#include "collectors/checks/check_config.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

HttpChecksConfig Parse(const std::string& yaml, ConfigDiagnostics* diag) {
  YAML::Node root = YAML::Load(yaml);
  return ParseHttpChecksConfig(root["http_checks"], diag);
}

TEST(HttpCheckConfigTest, ParsesFullCheckWithDefaults) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = Parse(R"(
http_checks:
  max_concurrency: 4
  history_size: 5
  defaults: {interval: 30s, timeout: 5s, jitter: 1s, latency_buckets: [0.1, 1]}
  checks:
    - name: api
      url: https://user:pw@api.example.org/health
      method: POST
      headers: {X-Token: abc}
      body: '{"ping":1}'
      basic_auth: {username: u, password: p}
      valid_status_codes: [200, "3xx", 404]
      valid_http_versions: ["HTTP/1.1", "HTTP/2.0"]
      follow_redirects: false
      max_redirects: 3
      fail_if_not_ssl: true
      fail_if_body_matches_regexp: ["(?i)error"]
      fail_if_body_not_matches_regexp: ['"status":"UP"']
      fail_if_header_matches: [{header: X-Bad, regexp: "yes", allow_missing: true}]
      fail_if_header_not_matches: [{header: Content-Type, regexp: "json"}]
      tls: {insecure_skip_verify: true, server_name: api.internal, min_version: TLS13}
      preferred_ip_protocol: ip6
      ip_protocol_fallback: false
      body_size_limit: 1MiB
      compression: gzip
      proxy_url: http://proxy.local:3128
      labels: {team: payments}
      follow_redirects_keep_headers: true
      redact_query_params: [session, X-Sig]
      timeout: 2s
    - name: plain
      url: http://127.0.0.1:8080/
)",
                             &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_EQ(c.max_concurrency, 4);
  EXPECT_EQ(c.history_size, 5);
  ASSERT_EQ(c.checks.size(), 2u);
  const HttpCheckConfig& api = c.checks[0];
  EXPECT_EQ(api.name, "api");
  EXPECT_EQ(api.method, "POST");
  ASSERT_EQ(api.headers.size(), 1u);
  EXPECT_EQ(api.headers[0].first, "X-Token");
  ASSERT_TRUE(api.basic_auth.has_value());
  EXPECT_EQ(api.basic_auth->password, "p");
  ASSERT_EQ(api.valid_status_codes.size(), 3u);
  EXPECT_EQ(api.valid_status_codes[1].low, 300);
  EXPECT_EQ(api.valid_status_codes[1].high, 399);
  EXPECT_EQ(api.valid_status_codes[2].low, 404);
  EXPECT_FALSE(api.follow_redirects);
  EXPECT_EQ(api.max_redirects, 3);
  EXPECT_TRUE(api.fail_if_not_ssl);
  ASSERT_EQ(api.fail_if_body_matches_regexp.size(), 1u);
  EXPECT_TRUE(RE2::PartialMatch("an ERROR here", *api.fail_if_body_matches_regexp[0].re));
  ASSERT_EQ(api.fail_if_header_matches.size(), 1u);
  EXPECT_TRUE(api.fail_if_header_matches[0].allow_missing);
  EXPECT_TRUE(api.tls.insecure_skip_verify);
  EXPECT_EQ(api.tls.min_version, "TLS13");
  EXPECT_EQ(api.preferred_ip_protocol, "ip6");
  EXPECT_FALSE(api.ip_protocol_fallback);
  EXPECT_EQ(api.body_size_limit, 1 << 20);
  EXPECT_EQ(api.compression, "gzip");
  EXPECT_EQ(api.labels.at("team"), "payments");
  EXPECT_TRUE(api.follow_redirects_keep_headers);
  EXPECT_EQ(api.redact_query_params, (std::vector<std::string>{"session", "X-Sig"}));
  EXPECT_EQ(api.interval, milliseconds(30000));  // from defaults
  EXPECT_EQ(api.timeout, milliseconds(2000));    // overridden
  EXPECT_EQ(api.jitter, milliseconds(1000));
  EXPECT_EQ(api.latency_buckets, (std::vector<double>{0.1, 1}));

  const HttpCheckConfig& plain = c.checks[1];
  EXPECT_EQ(plain.method, "GET");
  EXPECT_TRUE(plain.follow_redirects);
  EXPECT_EQ(plain.max_redirects, 10);
  EXPECT_EQ(plain.preferred_ip_protocol, "ip4");
  EXPECT_FALSE(plain.follow_redirects_keep_headers);  // credentials stay on the check's origin by default
  EXPECT_TRUE(plain.redact_query_params.empty());
  EXPECT_TRUE(plain.valid_status_codes.empty());
  EXPECT_NE(api.fingerprint, plain.fingerprint);
}

TEST(HttpCheckConfigTest, AbsentSectionMeansNoChecks) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = Parse("collectors: {}\n", &diag);
  EXPECT_TRUE(diag.ok());
  EXPECT_TRUE(c.checks.empty());
  EXPECT_EQ(c.max_concurrency, 16);
}

TEST(HttpCheckConfigTest, FingerprintChangesWithAnyOptionAndDefaults) {
  auto fp = [](const std::string& yaml) {
    ConfigDiagnostics diag("hw.yml");
    HttpChecksConfig c = Parse(yaml, &diag);
    EXPECT_TRUE(diag.ok()) << diag.ToString();
    return c.checks.at(0).fingerprint;
  };
  std::string base = "http_checks:\n  checks: [{name: a, url: 'http://x/'}]\n";
  EXPECT_EQ(fp(base), fp(base));
  EXPECT_NE(fp(base), fp("http_checks:\n  checks: [{name: a, url: 'http://y/'}]\n"));
  EXPECT_NE(fp(base), fp("http_checks:\n  defaults: {interval: 2m}\n  checks: [{name: a, url: 'http://x/'}]\n"));
}

// Every must-fail input with the exact message a user sees (file:line:col: key: reason).
TEST(HttpCheckConfigTest, RejectsBadInputsWithPositions) {
  struct Case {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"http_checks: [1]\n", "hw.yml:1:14: http_checks: must be a mapping, got a list"},
      {"http_checks:\n  bogus: 1\n",
       "hw.yml:2:3: http_checks.bogus: unknown key (known: max_concurrency, history_size, defaults, checks, "
       "probe_targets)"},
      {"http_checks:\n  max_concurrency: 0\n", "hw.yml:2:20: http_checks.max_concurrency: must be between 1 and 10000"},
      {"http_checks:\n  max_concurrency: many\n", "hw.yml:2:20: http_checks.max_concurrency: must be an integer"},
      {"http_checks:\n  defaults: {interval: 5x}\n",
       "hw.yml:2:24: http_checks.defaults.interval: invalid duration (want e.g. 500ms, 30s, 5m, 1h30m)"},
      {"http_checks:\n  defaults: {colour: red}\n",
       "hw.yml:2:14: http_checks.defaults.colour: unknown key (known: interval, timeout, jitter, latency_buckets)"},
      {"http_checks:\n  checks: {a: 1}\n", "hw.yml:2:11: http_checks.checks: must be a list, got a mapping"},
      {"http_checks:\n  checks:\n    - url: http://x/\n", "hw.yml:3:7: http_checks.checks[0]: name is required"},
      {"http_checks:\n  checks:\n    - name: a\n", "hw.yml:3:7: http_checks.checks[0]: url is required"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'ftp://x/'}\n",
       "hw.yml:3:22: http_checks.checks[0].url: must start with http:// or https://"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', wat: 1}\n",
       "hw.yml:3:35: http_checks.checks[0].wat: unknown key (known: name, url, method, headers, body, basic_auth, "
       "bearer_token, tls, preferred_ip_protocol, ip_protocol_fallback, compression, proxy_url, labels, "
       "redact_query_params, valid_status_codes, valid_http_versions, follow_redirects, max_redirects, "
       "follow_redirects_keep_headers, fail_if_ssl, fail_if_not_ssl, "
       "fail_if_body_matches_regexp, fail_if_body_not_matches_regexp, fail_if_header_matches, "
       "fail_if_header_not_matches, body_size_limit, interval, timeout, jitter, latency_buckets)"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', follow_redirects: maybe}\n",
       "hw.yml:3:53: http_checks.checks[0].follow_redirects: must be true or false"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', fail_if_body_matches_regexp: ['(']}\n",
       "hw.yml:3:65: http_checks.checks[0].fail_if_body_matches_regexp[0]: invalid regular expression: "
       "missing closing )"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', valid_status_codes: [200, 6xx]}\n",
       "hw.yml:3:61: http_checks.checks[0].valid_status_codes[1]: must be a status code 100-599 or a range such as "
       "\"2xx\""},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', valid_status_codes: [99]}\n",
       "hw.yml:3:56: http_checks.checks[0].valid_status_codes[0]: must be a status code 100-599 or a range such as "
       "\"2xx\""},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', interval: 10s, timeout: 10s}\n",
       "hw.yml:3:59: http_checks.checks[0].timeout: timeout (10s) must be less than interval (10s)"},
      {"http_checks:\n  defaults: {timeout: 2m}\n  checks:\n    - {name: a, url: 'http://x/'}\n",
       "hw.yml:4:7: http_checks.checks[0]: timeout (2m) must be less than interval (1m)"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/'}\n    - {name: a, url: 'http://y/'}\n",
       "hw.yml:4:14: http_checks.checks[1].name: duplicate check name (first defined at "
       "http_checks.checks[0])"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', preferred_ip_protocol: ip5}\n",
       "hw.yml:3:58: http_checks.checks[0].preferred_ip_protocol: must be one of ip4, ip6"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', body_size_limit: 1XB}\n",
       "hw.yml:3:52: http_checks.checks[0].body_size_limit: must be a size such as 1048576, 512KB or 1MiB"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', tls: {min_version: SSL3}}\n",
       "hw.yml:3:54: http_checks.checks[0].tls.min_version: must be one of TLS10, TLS11, TLS12, TLS13"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', tls: {ca_file: /nonexistent/ca.pem}}\n",
       "hw.yml:3:50: http_checks.checks[0].tls.ca_file: cannot read the file: No such file or directory"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', labels: {check: x}}\n",
       "hw.yml:3:44: http_checks.checks[0].labels.check: label name is reserved"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', labels: {1bad: x}}\n",
       "hw.yml:3:44: http_checks.checks[0].labels.1bad: invalid label name"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', fail_if_ssl: true, fail_if_not_ssl: true}\n",
       "hw.yml:3:48: http_checks.checks[0].fail_if_ssl: fail_if_ssl and fail_if_not_ssl cannot both be true"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', fail_if_header_matches: [{header: X}]}\n",
       "hw.yml:3:60: http_checks.checks[0].fail_if_header_matches[0]: needs both header and regexp"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', latency_buckets: [1, 0.5]}\n",
       "hw.yml:3:56: http_checks.checks[0].latency_buckets[1]: buckets must be strictly increasing"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', method: 'GE T'}\n",
       "hw.yml:3:43: http_checks.checks[0].method: must be an HTTP method such as GET"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', basic_auth: {username: u}, bearer_token: t}\n",
       "hw.yml:3:76: http_checks.checks[0].bearer_token: at most one of basic_auth and bearer_token may be set"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', follow_redirects_keep_headers: 1}\n",
       "hw.yml:3:66: http_checks.checks[0].follow_redirects_keep_headers: must be true or false"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', redact_query_params: [ok, 'a=b', '']}\n",
       "hw.yml:3:61: http_checks.checks[0].redact_query_params[1]: must be a query parameter name (not empty, without "
       "& ; = # ? or spaces)\nhw.yml:3:68: http_checks.checks[0].redact_query_params[2]: must be a query parameter "
       "name (not empty, without & ; = # ? or spaces)"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', redact_query_params: session}\n",
       "hw.yml:3:56: http_checks.checks[0].redact_query_params: must be a list"},
      {"http_checks:\n  checks:\n    - {name: a, url: 'http://x/', valid_http_versions: ['HTTP/9']}\n",
       "hw.yml:3:57: http_checks.checks[0].valid_http_versions[0]: must be one of HTTP/1.0, HTTP/1.1, HTTP/2.0, "
       "HTTP/3.0"},
  };
  for (const Case& c : cases) {
    ConfigDiagnostics diag("hw.yml");
    Parse(c.yaml, &diag);
    EXPECT_EQ(diag.ToString(), c.error) << c.yaml;
  }
}

TEST(HttpCheckConfigTest, ReportsEveryProblemNotJustTheFirst) {
  ConfigDiagnostics diag("hw.yml");
  Parse("http_checks:\n  checks:\n    - {name: a, url: 'x', timeout: 1y, foo: 1}\n    - {url: 'http://y/'}\n", &diag);
  EXPECT_EQ(diag.errors().size(), 4u) << diag.ToString();
}

TEST(HttpCheckConfigTest, ParsesStatusRanges) {
  EXPECT_EQ(ParseStatusRange("2xx")->low, 200);
  EXPECT_EQ(ParseStatusRange("2XX")->high, 299);
  EXPECT_EQ(ParseStatusRange("404")->low, 404);
  EXPECT_EQ(ParseStatusRange("404")->high, 404);
  for (const char* bad : {"", "6xx", "0xx", "2x", "2xxx", "099", "600", "abc", "20"}) {
    EXPECT_FALSE(ParseStatusRange(bad).has_value()) << bad;
  }
}

TEST(HttpCheckConfigTest, ParsesByteSizesBase2) {
  EXPECT_EQ(ParseByteSize("0"), 0);
  EXPECT_EQ(ParseByteSize("1024"), 1024);
  EXPECT_EQ(ParseByteSize("512KB"), 512 * 1024);
  EXPECT_EQ(ParseByteSize("1MiB"), 1 << 20);
  EXPECT_EQ(ParseByteSize("2GB"), 2LL << 30);
  for (const char* bad : {"", "MB", "1.5MB", "1 MB", "-1", "1TB", "99999999999999999999"}) {
    EXPECT_EQ(ParseByteSize(bad), -1) << bad;
  }
}

}  // namespace
}  // namespace hostwatch
