#include "collectors/checks/target_policy.h"

#include <arpa/inet.h>
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

// Connect-time judgement of one address (family and bytes from its text).
bool Connects(const TargetPolicy& p, Verdict url_verdict, const std::string& ip, int port, std::string* why) {
  std::uint8_t bytes[16];
  int family = 0;
  if (inet_pton(AF_INET, ip.c_str(), bytes) == 1) {
    family = AF_INET;
  } else {
    EXPECT_EQ(inet_pton(AF_INET6, ip.c_str(), bytes), 1) << ip;
    family = AF_INET6;
  }
  return p.AllowsConnection(url_verdict, family, bytes, port, why);
}

// Issue 16 item 7: a name under a name entry could resolve to 127.0.0.1 or 169.254.169.254 and was connected to.
TEST(TargetPolicyTest, NameEntriesDoNotReachProtectedAddresses) {
  TargetPolicy p = Policy({"localhost", "*.example.org"});
  ASSERT_EQ(Judge(p, "http://localhost:8080/"), Verdict::kAllowed);
  std::string why;
  EXPECT_TRUE(Connects(p, Verdict::kAllowed, "10.1.2.3", 80, &why));
  EXPECT_TRUE(Connects(p, Verdict::kAllowed, "2001:db8::5", 443, &why));
  struct Case {
    std::string ip;
    std::string what;
  };
  const std::vector<Case> protected_addresses = {
      {"127.0.0.1", "(loopback, 127.0.0.0/8)"},
      {"127.1.2.3", "(loopback, 127.0.0.0/8)"},
      {"::1", "(loopback, ::1/128)"},
      {"::ffff:127.0.0.1", "(loopback, 127.0.0.0/8)"},  // mapped: no bypass through IPv6 notation
      {"0.0.0.0", "(unspecified (reaches the local host), 0.0.0.0/8)"},
      {"::", "(unspecified (reaches the local host), ::/128)"},
      {"169.254.10.20", "(link-local, 169.254.0.0/16)"},
      {"fe80::1", "(link-local, fe80::/10)"},
      {"169.254.169.254", "(cloud metadata, 169.254.169.254/32)"},
      {"fd00:ec2::254", "(cloud metadata, fd00:ec2::254/128)"},
      {"100.100.100.200", "(cloud metadata, 100.100.100.200/32)"},
  };
  for (const Case& c : protected_addresses) {
    why.clear();
    EXPECT_FALSE(Connects(p, Verdict::kAllowed, c.ip, 80, &why)) << c.ip;
    EXPECT_NE(why.find("is a protected address " + c.what), std::string::npos) << c.ip << ": " << why;
    EXPECT_NE(why.find("not a host name entry"), std::string::npos) << why;
  }
  // Neighbours of the protected ranges are ordinary addresses.
  EXPECT_TRUE(Connects(p, Verdict::kAllowed, "128.0.0.1", 80, &why));
  EXPECT_TRUE(Connects(p, Verdict::kAllowed, "169.255.0.1", 80, &why));
  EXPECT_TRUE(Connects(p, Verdict::kAllowed, "fd00:ec2::253", 80, &why));
  EXPECT_TRUE(Connects(p, Verdict::kAllowed, "fec0::1", 80, &why));
}

TEST(TargetPolicyTest, OnlyAnEntryWithinTheProtectedRangeAllowsIt) {
  std::string why;
  // Named explicitly: allowed for a name entry's URL and for an IP literal alike.
  TargetPolicy explicit_loopback = Policy({"localhost", "127.0.0.1/32", "[::1]:9000"});
  EXPECT_TRUE(Connects(explicit_loopback, Verdict::kAllowed, "127.0.0.1", 80, &why));
  EXPECT_FALSE(Connects(explicit_loopback, Verdict::kAllowed, "127.0.0.2", 80, &why));
  EXPECT_TRUE(Connects(explicit_loopback, Verdict::kAllowed, "::1", 9000, &why));
  EXPECT_FALSE(Connects(explicit_loopback, Verdict::kAllowed, "::1", 9001, &why));  // the entry's port counts
  EXPECT_EQ(Judge(explicit_loopback, "http://127.0.0.1:8080/"), Verdict::kNeedsAddressCheck);
  EXPECT_TRUE(Connects(explicit_loopback, Verdict::kNeedsAddressCheck, "127.0.0.1", 8080, &why));
  EXPECT_TRUE(Policy({"127.0.0.0/8"}).CheckAddressText("127.9.9.9", 80));
  // A wider network is not an explicit permission: refused before anything is sent.
  TargetPolicy wide = Policy({"0.0.0.0/0", "::/0"});
  EXPECT_TRUE(wide.CheckAddressText("8.8.8.8", 80));
  EXPECT_FALSE(wide.CheckAddressText("127.0.0.1", 80));
  EXPECT_FALSE(wide.CheckAddressText("::1", 80));
  EXPECT_FALSE(wide.CheckAddressText("169.254.169.254", 80));
  EXPECT_EQ(Judge(wide, "http://10.0.0.1/"), Verdict::kNeedsAddressCheck);
  TargetHost metadata{"169.254.169.254", 80, true};
  EXPECT_EQ(wide.CheckUrl(metadata, &why), Verdict::kDenied);
  EXPECT_NE(why.find("target 169.254.169.254 is a protected address (cloud metadata"), std::string::npos) << why;
  EXPECT_NE(why.find("e.g. 169.254.169.254/32"), std::string::npos) << why;
  // A name no name entry matches, resolving into a protected range, is refused on the socket.
  EXPECT_EQ(Judge(wide, "http://rebound.example/"), Verdict::kNeedsAddressCheck);
  EXPECT_FALSE(Connects(wide, Verdict::kNeedsAddressCheck, "127.0.0.1", 80, &why));
  EXPECT_TRUE(Connects(wide, Verdict::kNeedsAddressCheck, "192.0.2.1", 80, &why));
  // The link-local network does not cover the metadata address inside it; naming it does.
  TargetPolicy link_local = Policy({"169.254.0.0/16"});
  EXPECT_TRUE(link_local.CheckAddressText("169.254.1.1", 80));
  EXPECT_FALSE(link_local.CheckAddressText("169.254.169.254", 80));
  EXPECT_TRUE(Policy({"169.254.169.254"}).CheckAddressText("169.254.169.254", 80));
  EXPECT_TRUE(Policy({"::ffff:127.0.0.1"}).CheckAddressText("127.0.0.1", 80));  // mapped entry, same address
  // A denied URL never connects.
  EXPECT_FALSE(Connects(explicit_loopback, Verdict::kDenied, "127.0.0.1", 80, &why));
  // Where no entry would allow it anyway (another port), the reason is the plain one.
  TargetPolicy one_port = Policy({"127.0.0.1:8080"});
  TargetHost other_port{"127.0.0.1", 8081, true};
  EXPECT_EQ(one_port.CheckUrl(other_port, &why), Verdict::kDenied);
  EXPECT_EQ(why, "target 127.0.0.1:8081 is not allowed by http_checks.probe_targets.allowed_targets");
  EXPECT_FALSE(Connects(one_port, Verdict::kNeedsAddressCheck, "127.0.0.1", 8081, &why));
  EXPECT_EQ(why, "address not in http_checks.probe_targets.allowed_targets");
}

TEST(TargetPolicyTest, CredentialsOverHttpComeFromTheEntryMatchingTheUrl) {
  ConfigDiagnostics diag("hw.yml");
  ProbeTargetsConfig c = ParseProbeTargetsConfig(YAML::Load(R"(
enabled: true
allowed_targets:
  - "*.example.org"
  - {target: "trusted.example.net", send_credentials_over_http: true}
  - {target: "10.0.0.0/8"}
  - {target: "10.1.0.0/16:8080", send_credentials_over_http: true}
)"),
                                                 "http_checks.probe_targets", &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  auto creds = [&](const std::string& url) {
    std::string why;
    bool over_http = true;
    std::optional<TargetHost> t = ParseTargetUrl(url, &why);
    EXPECT_TRUE(t.has_value()) << url;
    EXPECT_NE(c.policy.CheckUrl(*t, &why, &over_http), Verdict::kDenied) << url << ": " << why;
    return over_http;
  };
  EXPECT_FALSE(creds("http://a.example.org/"));
  EXPECT_TRUE(creds("http://trusted.example.net/"));
  EXPECT_FALSE(creds("http://10.2.3.4/"));
  EXPECT_TRUE(creds("http://10.1.2.3:8080/"));  // any entry that allows the address may say so
  EXPECT_FALSE(creds("http://10.1.2.3:8081/"));
  // A name allowed only through its address: the entry is not known before connecting.
  EXPECT_FALSE(creds("http://unlisted.example.com:8080/"));
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
      {"http_checks:\n  probe_targets:\n    allowed_targets: [{send_credentials_over_http: true}]\n",
       "hw.yml:3:23: http_checks.probe_targets.allowed_targets[0]: target is required"},
      {"http_checks:\n  probe_targets:\n    allowed_targets: [{target: \"10.0.0.0/40\"}]\n",
       "hw.yml:3:32: http_checks.probe_targets.allowed_targets[0].target: has an invalid prefix"},
      {"http_checks:\n  probe_targets:\n    allowed_targets: [{target: x.org, send_credentials_over_http: sure}]\n",
       "allowed_targets[0].send_credentials_over_http: must be true or false"},
      {"http_checks:\n  probe_targets:\n    allowed_targets: [{target: x.org, credentials: true}]\n",
       "allowed_targets[0].credentials: unknown key (known: target, send_credentials_over_http)"},
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
