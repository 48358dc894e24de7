#include "collectors/checks/target_policy.h"

#include <gtest/gtest.h>

#include "collectors/checks/check_config.h"

namespace hostwatch {
namespace {

using std::chrono::milliseconds;
using Verdict = TargetPolicy::Verdict;

TargetPolicy Policy(const std::vector<std::string>& entries) {
  std::vector<TargetRule> rules;
  for (const std::string& e : entries) {
    std::string error;
    std::optional<TargetRule> r = ParseTargetRule(e, &error);
    EXPECT_TRUE(r.has_value()) << e << ": " << error;
    if (r) {
      rules.push_back(*r);
    }
  }
  return TargetPolicy(std::move(rules));
}

Verdict Judge(const TargetPolicy& p, const std::string& url) {
  std::string why;
  std::optional<TargetHost> t = ParseTargetUrl(url, &why);
  EXPECT_TRUE(t.has_value()) << url << ": " << why;
  return t ? p.CheckUrl(*t, &why) : Verdict::kDenied;
}

TEST(TargetPolicyTest, ParsesEveryEntryForm) {
  struct Case {
    std::string entry;
    TargetRule::Kind kind;
    int port;
    int prefix;
  };
  const std::vector<Case> cases = {
      {"api.example.org", TargetRule::Kind::kHostExact, 0, 0},
      {"API.Example.ORG.", TargetRule::Kind::kHostExact, 0, 0},
      {"*.example.org", TargetRule::Kind::kHostSuffix, 0, 0},
      {"*.example.org:8443", TargetRule::Kind::kHostSuffix, 8443, 0},
      {"localhost:9000", TargetRule::Kind::kHostExact, 9000, 0},
      {"10.0.0.0/8", TargetRule::Kind::kNetwork, 0, 8},
      {"10.0.0.0/8:443", TargetRule::Kind::kNetwork, 443, 8},
      {"127.0.0.1", TargetRule::Kind::kNetwork, 0, 32},
      {"127.0.0.1:80", TargetRule::Kind::kNetwork, 80, 32},
      {"::1", TargetRule::Kind::kNetwork, 0, 128},
      {"[::1]", TargetRule::Kind::kNetwork, 0, 128},
      {"[::1]:9000", TargetRule::Kind::kNetwork, 9000, 128},
      {"fd00::/8", TargetRule::Kind::kNetwork, 0, 8},
      {"[fd00::]/8:443", TargetRule::Kind::kNetwork, 443, 8},
      {"0.0.0.0/0", TargetRule::Kind::kNetwork, 0, 0},
  };
  for (const Case& c : cases) {
    std::string error;
    std::optional<TargetRule> r = ParseTargetRule(c.entry, &error);
    ASSERT_TRUE(r.has_value()) << c.entry << ": " << error;
    EXPECT_EQ(r->kind, c.kind) << c.entry;
    EXPECT_EQ(r->port, c.port) << c.entry;
    if (c.kind == TargetRule::Kind::kNetwork) {
      EXPECT_EQ(r->prefix_length, c.prefix) << c.entry;
    }
  }
}

TEST(TargetPolicyTest, RejectsMalformedEntries) {
  const std::vector<std::string> bad = {
      "",
      "10.0.0.0/33",
      "::/129",
      "10.1.0.0/8",
      "10.0.0.0/",
      "10.0.0.0/x",
      "host:0",
      "host:70000",
      "host:",
      "[::1",
      "[::1]x",
      "a*.example.org",
      "*",
      "*.",
      "http://example.org/",
      "/8",
      "bücher.example",
      "exa mple.org",
      "example..org",
      "300.1.1.1/8",
  };
  for (const std::string& e : bad) {
    std::string error;
    EXPECT_FALSE(ParseTargetRule(e, &error).has_value()) << "accepted " << e;
    EXPECT_FALSE(error.empty()) << e;
  }
}

TEST(TargetPolicyTest, HostGlobsMatchSubdomainsOnlyCaseInsensitively) {
  TargetPolicy p = Policy({"*.example.org", "exact.test"});
  EXPECT_EQ(Judge(p, "http://a.example.org/"), Verdict::kAllowed);
  EXPECT_EQ(Judge(p, "https://A.B.Example.ORG/x"), Verdict::kAllowed);
  EXPECT_EQ(Judge(p, "http://a.example.org./"), Verdict::kAllowed);  // trailing dot is the same name
  EXPECT_EQ(Judge(p, "http://exact.test:8080/"), Verdict::kAllowed);
  EXPECT_EQ(Judge(p, "http://example.org/"), Verdict::kDenied);  // the glob needs a subdomain
  EXPECT_EQ(Judge(p, "http://badexample.org/"), Verdict::kDenied);
  EXPECT_EQ(Judge(p, "http://example.org.evil.test/"), Verdict::kDenied);
  EXPECT_EQ(Judge(p, "http://sub.exact.test/"), Verdict::kDenied);
  // No address entries: IP literals and unknown names are refused up front.
  EXPECT_EQ(Judge(p, "http://127.0.0.1/"), Verdict::kDenied);
}

TEST(TargetPolicyTest, PortsRestrictEntries) {
  TargetPolicy p = Policy({"*.example.org:443", "127.0.0.1:8080", "[::1]:9000"});
  EXPECT_EQ(Judge(p, "https://a.example.org/"), Verdict::kAllowed);           // default port 443
  EXPECT_EQ(Judge(p, "http://a.example.org/"), Verdict::kNeedsAddressCheck);  // port 80: only addresses could allow
  EXPECT_EQ(Judge(p, "http://127.0.0.1:8080/"), Verdict::kNeedsAddressCheck);
  EXPECT_EQ(Judge(p, "http://127.0.0.1:8081/"), Verdict::kDenied);
  EXPECT_EQ(Judge(p, "http://[::1]:9000/"), Verdict::kNeedsAddressCheck);
  EXPECT_EQ(Judge(p, "http://[::1]:9001/"), Verdict::kDenied);
  EXPECT_TRUE(p.CheckAddressText("127.0.0.1", 8080));
  EXPECT_FALSE(p.CheckAddressText("127.0.0.1", 8081));
}

TEST(TargetPolicyTest, CidrsMatchIpv4AndIpv6Addresses) {
  TargetPolicy p = Policy({"10.0.0.0/8", "192.168.1.128/25", "fd00::/8", "2001:db8::1"});
  EXPECT_TRUE(p.CheckAddressText("10.255.1.2", 80));
  EXPECT_FALSE(p.CheckAddressText("11.0.0.1", 80));
  EXPECT_TRUE(p.CheckAddressText("192.168.1.200", 80));
  EXPECT_FALSE(p.CheckAddressText("192.168.1.127", 80));
  EXPECT_TRUE(p.CheckAddressText("fdab::1", 443));
  EXPECT_FALSE(p.CheckAddressText("fe80::1", 443));
  EXPECT_TRUE(p.CheckAddressText("2001:db8::1", 443));
  EXPECT_FALSE(p.CheckAddressText("2001:db8::2", 443));
  // An IPv4-mapped IPv6 address is its IPv4 address: no bypass through ::ffff:.
  EXPECT_TRUE(p.CheckAddressText("::ffff:10.1.2.3", 80));
  EXPECT_FALSE(p.CheckAddressText("::ffff:127.0.0.1", 80));
  EXPECT_EQ(Judge(p, "http://10.1.2.3/"), Verdict::kNeedsAddressCheck);
  EXPECT_EQ(Judge(p, "http://[fd00::5]:8080/"), Verdict::kNeedsAddressCheck);
  EXPECT_EQ(Judge(p, "http://127.0.0.1/"), Verdict::kDenied);
  EXPECT_EQ(Judge(p, "http://[::1]/"), Verdict::kDenied);
  // A name may resolve into an allowed network: decided on the connected address.
  EXPECT_EQ(Judge(p, "http://internal.example/"), Verdict::kNeedsAddressCheck);
}

TEST(TargetPolicyTest, MappedIpv6RuleCoversIpv4) {
  TargetPolicy p = Policy({"::ffff:10.0.0.0/104"});
  EXPECT_TRUE(p.CheckAddressText("10.9.9.9", 80));
  EXPECT_FALSE(p.CheckAddressText("11.0.0.0", 80));
}

TEST(TargetPolicyTest, InternationalizedNamesCompareInPunycode) {
  TargetPolicy p = Policy({"*.xn--bcher-kva.example"});
  EXPECT_EQ(Judge(p, "http://shop.xn--bcher-kva.example/"), Verdict::kAllowed);
  std::string why;
  std::optional<TargetHost> t = ParseTargetUrl("http://shop.bücher.example/", &why);
  if (t) {  // libcurl built with IDN support converts; without it the URL is refused, never let through
    EXPECT_EQ(t->host, "shop.xn--bcher-kva.example");
    EXPECT_EQ(p.CheckUrl(*t, &why), Verdict::kAllowed);
  }
}

TEST(TargetPolicyTest, ParsesTargetUrls) {
  std::string why;
  std::optional<TargetHost> t = ParseTargetUrl("https://User:pw@Host.Example:8443/path?q", &why);
  ASSERT_TRUE(t.has_value()) << why;
  EXPECT_EQ(t->host, "host.example");
  EXPECT_EQ(t->port, 8443);
  EXPECT_FALSE(t->is_ip);
  t = ParseTargetUrl("http://[::1]/", &why);
  ASSERT_TRUE(t.has_value()) << why;
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 80);
  EXPECT_TRUE(t->is_ip);
  EXPECT_FALSE(ParseTargetUrl("ftp://example.org/", &why).has_value());
  EXPECT_FALSE(ParseTargetUrl("http://", &why).has_value());
  EXPECT_FALSE(ParseTargetUrl("example.org", &why).has_value());
}

TEST(TargetPolicyTest, EffectiveTimeoutFollowsBlackbox) {
  const milliseconds offset(500);
  EXPECT_EQ(EffectiveProbeTimeout(milliseconds(5000), std::nullopt, offset), milliseconds(5000));
  EXPECT_EQ(EffectiveProbeTimeout(milliseconds(5000), 2.0, offset), milliseconds(1500));
  EXPECT_EQ(EffectiveProbeTimeout(milliseconds(1000), 10.0, offset), milliseconds(1000));
  // A header smaller than the offset leaves the module's timeout, as blackbox does.
  EXPECT_EQ(EffectiveProbeTimeout(milliseconds(5000), 0.4, offset), milliseconds(5000));
}

HttpChecksConfig ParseYaml(const std::string& yaml, ConfigDiagnostics* diag) {
  YAML::Node root = YAML::Load(yaml);
  return ParseHttpChecksConfig(root["http_checks"], diag);
}

TEST(ProbeTargetsConfigTest, OffByDefault) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = ParseYaml("http_checks:\n  max_concurrency: 2\n", &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_FALSE(c.probe_targets.enabled);
  EXPECT_TRUE(c.probe_targets.policy.rules().empty());
}

TEST(ProbeTargetsConfigTest, ParsesAllKeys) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = ParseYaml(R"(
http_checks:
  probe_targets:
    enabled: true
    allowed_targets: ["*.example.org", "10.0.0.0/8", "127.0.0.1/32", "[::1]"]
    max_concurrent: 2
    timeout_offset: 250ms
)",
                                 &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_TRUE(c.probe_targets.enabled);
  EXPECT_EQ(c.probe_targets.policy.rules().size(), 4u);
  EXPECT_EQ(c.probe_targets.max_concurrent, 2);
  EXPECT_EQ(c.probe_targets.timeout_offset, milliseconds(250));
}

TEST(ProbeTargetsConfigTest, ReportsErrorsWithPositions) {
  struct Case {
    std::string yaml;
    std::string expected;  // substring of the diagnostics
  };
  const std::vector<Case> cases = {
      {"http_checks:\n  probe_targets:\n    enabled: true\n    allowed_targets: []\n",
       "hw.yml:4:22: http_checks.probe_targets.allowed_targets: must list at least one"},
      {"http_checks:\n  probe_targets:\n    enabled: true\n",
       "hw.yml:3:5: http_checks.probe_targets.allowed_targets: must list at least one"},
      {"http_checks:\n  probe_targets:\n    allowed_targets: [\"10.0.0.0/8\", \"10.0.0.0/40\"]\n",
       "hw.yml:3:37: http_checks.probe_targets.allowed_targets[1]: has an invalid prefix length"},
      {"http_checks:\n  probe_targets:\n    allowed_targets: [\"a*b.org\"]\n",
       "allowed_targets[0]: is not a "
       "valid host glob"},
      {"http_checks:\n  probe_targets:\n    enabled: yes please\n", "hw.yml:3:14: http_checks.probe_targets.enabled"},
      {"http_checks:\n  probe_targets:\n    max_concurrent: 0\n", "http_checks.probe_targets.max_concurrent: must be"},
      {"http_checks:\n  probe_targets:\n    timeout_offset: soon\n", "http_checks.probe_targets.timeout_offset"},
      {"http_checks:\n  probe_targets:\n    allow: [x]\n", "hw.yml:3:5: http_checks.probe_targets.allow: unknown key"},
      {"http_checks:\n  probe_targets: [x]\n", "http_checks.probe_targets: must be a mapping"},
  };
  for (const Case& c : cases) {
    ConfigDiagnostics diag("hw.yml");
    ParseYaml(c.yaml, &diag);
    EXPECT_FALSE(diag.ok()) << c.yaml;
    EXPECT_NE(diag.ToString().find(c.expected), std::string::npos) << c.yaml << "\ngot: " << diag.ToString();
  }
}

}  // namespace
}  // namespace hostwatch
