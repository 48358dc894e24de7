#include "agent/web/web_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hostwatch {
namespace {

constexpr char kHash[] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

TEST(WebConfigTest, BracesMeanPlainHttpWithoutAuthOnPurpose) {
  for (const std::string text : {"{}", "{}\n", "# no TLS, no auth\n{}\n", "---\n{}\n"}) {
    auto r = ParseWebConfig(text, "/etc/hostwatch/web.yml");
    ASSERT_TRUE(r.ok()) << text << " -> " << r.status().message();
    EXPECT_FALSE(r.value().tls.has_value());
    EXPECT_TRUE(r.value().basic_auth_users.empty());
    EXPECT_EQ(r.value().unauthenticated_paths, std::vector<std::string>{"/-/healthy"});
  }
}

TEST(Issue16Test, FileThatSetsNothingIsAnError) {
  // An editor saving or a tool mid-write leaves these; taking them as "no TLS, no auth" opened
  // the endpoint silently.
  for (const std::string text : {"", "\n", "   \n\t\n", "# basic_auth_users:\n#   alice: x\n", "---\n", "~\n",
                                 "null\n", "--- # comment\n...\n"}) {
    auto r = ParseWebConfig(text, "/etc/hostwatch/web.yml");
    ASSERT_FALSE(r.ok()) << "accepted: \"" << text << "\"";
    const std::string m = r.status().message();
    EXPECT_EQ(m.rfind("/etc/hostwatch/web.yml:", 0), 0u) << m;
    EXPECT_NE(m.find("sets nothing"), std::string::npos) << m;
    EXPECT_NE(m.find("write {}"), std::string::npos) << m;
  }
}

TEST(Issue16Test, TlsVersionsBelowTls12AreRejectedAtLoad) {
  // CivetWeb never offers TLS 1.0 or 1.1; a config asking for them must not pretend.
  for (const std::string key : {"min_version", "max_version"}) {
    for (const std::string version : {"TLS10", "TLS11"}) {
      const std::string text = "tls_server_config: {cert_file: a.crt, key_file: a.key, " + key + ": " + version + "}\n";
      auto r = ParseWebConfig(text, "web.yml");
      ASSERT_FALSE(r.ok()) << text;
      const std::string m = r.status().message();
      EXPECT_NE(m.find("web.yml:1:"), std::string::npos) << m;
      EXPECT_NE(m.find("tls_server_config." + key + ": " + version + " is not offered"), std::string::npos) << m;
      EXPECT_NE(m.find("TLS12 or TLS13"), std::string::npos) << m;
    }
  }
  for (const std::string version : {"TLS12", "TLS13"}) {
    auto r = ParseWebConfig("tls_server_config: {cert_file: a.crt, key_file: a.key, min_version: " + version + "}\n",
                            "web.yml");
    ASSERT_TRUE(r.ok()) << version << ": " << r.status().message();
    EXPECT_EQ(r.value().tls->min_version, version == "TLS12" ? kTls12 : kTls13);
  }
}

TEST(WebConfigTest, ParsesExporterToolkitFile) {
  const std::string text = std::string(R"(
tls_server_config:
  cert_file: certs/server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_256_GCM_SHA384]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
http_server_config:
  http2: true
  headers:
    Strict-Transport-Security: max-age=31536000
    X-Content-Type-Options: nosniff
basic_auth_users:
  alice: ")") + kHash + R"("
unauthenticated_paths: []
)";
  auto r = ParseWebConfig(text, "/etc/hostwatch/web.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const WebConfig& c = r.value();
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_EQ(c.tls->cert_file, "/etc/hostwatch/certs/server.crt");  // relative to the file's directory
  EXPECT_EQ(c.tls->key_file, "/abs/server.key");
  EXPECT_EQ(c.tls->client_ca_file, "/etc/hostwatch/ca.crt");
  EXPECT_EQ(c.tls->client_auth, ClientAuthType::kRequireAndVerifyClientCert);
  EXPECT_EQ(c.tls->min_version, kTls13);
  EXPECT_EQ(c.tls->max_version, kTls13);
  EXPECT_EQ(c.tls->cipher_suites, (std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256", "AES256-GCM-SHA384"}));
  EXPECT_EQ(c.tls->curve_groups, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_FALSE(c.tls->prefer_server_cipher_suites);
  ASSERT_EQ(c.headers.size(), 2u);
  EXPECT_EQ(c.headers[0].first, "Strict-Transport-Security");
  EXPECT_EQ(c.basic_auth_users.at("alice"), kHash);
  EXPECT_TRUE(c.unauthenticated_paths.empty());
}

TEST(WebConfigTest, TlsDefaultsFollowExporterToolkit) {
  auto r = ParseWebConfig("tls_server_config: {cert_file: a.crt, key_file: a.key}\n", "web.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().tls->min_version, kTls12);
  EXPECT_EQ(r.value().tls->max_version, kTls13);
  EXPECT_EQ(r.value().tls->client_auth, ClientAuthType::kNoClientCert);
  EXPECT_EQ(r.value().tls->cert_file, "a.crt");
}

TEST(WebConfigTest, TlsSectionWithoutCertificatesIsPlainHttp) {
  auto r = ParseWebConfig("tls_server_config: {min_version: TLS12}\n", "web.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r.value().tls.has_value());
}

TEST(WebConfigTest, InvalidFilesAreRejectedWithPosition) {
  struct Case {
    std::string text;
    std::string expected;  // substring of the error
  };
  const std::vector<Case> cases = {
      {"tls_server_config: {cert_file: a.crt}\n", "missing key_file"},
      {"tls_server_config: {key_file: a.key}\n", "missing cert_file"},
      {"tls_server_config: {cert_file: a, key_file: b, client_auth_type: Sometimes}\n", "invalid client_auth_type"},
      {"tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}\n",
       "client_ca_file is required"},
      {"tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}\n", "without a client auth policy"},
      {"tls_server_config: {cert_file: a, key_file: b, min_version: TLS14}\n", "unknown TLS version"},
      {"tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}\n",
       "min_version is above max_version"},
      {"tls_server_config: {cert_file: a, key_file: b, cipher_suites: [TLS_AES_128_GCM_SHA256]}\n",
       "unknown cipher suite"},
      {"tls_server_config: {cert_file: a, key_file: b, curve_preferences: [P256]}\n", "unknown curve"},
      {"tls_server_config: {cert_file: a, key_file: b, colour: blue}\n", "tls_server_config.colour: unknown key"},
      {"basic_auth_users: {alice: plaintext}\n", "bcrypt"},
      {"basic_auth_users: {alice: \"$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"}\n",
       "bcrypt cost must be between 4 and 31, got 3"},
      {"basic_auth_users: {alice: \"$2y$32$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"}\n",
       "bcrypt cost must be between 4 and 31, got 32"},
      {"basic_auth_users: {\"a:b\": \"$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"}\n", "no ':'"},
      {"http_server_config: {headers: {Server: nginx}}\n", "not allowed"},
      {"http_server_config: {headers: {X-Frame-Options: allow}}\n", "deny or sameorigin"},
      {"http_server_config: {headers: {X-Content-Type-Options: sniff}}\n", "nosniff"},
      {"http_server_config: {http2: maybe}\n", "true or false"},
      {"unauthenticated_paths: [healthy]\n", "must start with '/'"},
      {"basic_auth: {}\n", "basic_auth: unknown key"},
      // A user listed twice: yaml-cpp would keep the first hash silently.
      {"basic_auth_users:\n  alice: \"$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"\n"
       "  alice: \"$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"\n",
       "web.yml:3:3: basic_auth_users.alice: duplicate key"},
      {"- a list\n", "must be a mapping"},
      {"tls_server_config: {cert_file: [unclosed\n", "web.yml:"},
  };
  for (const Case& c : cases) {
    auto r = ParseWebConfig(c.text, "web.yml");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos) << c.text << " -> " << r.status().message();
    EXPECT_EQ(r.status().message().rfind("web.yml:", 0), 0u) << r.status().message();
  }
}

TEST(WebConfigTest, ReportsEveryProblemAtOnce) {
  auto r = ParseWebConfig("basic_auth_users: {a: x, b: y}\nfoo: 1\n", "web.yml");
  ASSERT_FALSE(r.ok());
  const std::string m = r.status().message();
  EXPECT_NE(m.find("basic_auth_users.a"), std::string::npos) << m;
  EXPECT_NE(m.find("basic_auth_users.b"), std::string::npos) << m;
  EXPECT_NE(m.find("web.yml:2:1: foo: unknown key"), std::string::npos) << m;
}

TEST(WebConfigTest, LoadFileReportsMissingFile) {
  auto r = LoadWebConfigFile("/nonexistent/hostwatch-web.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/hostwatch-web.yml"), std::string::npos);
}

TEST(TlsVersionTest, NamesFromExporterToolkit) {
  EXPECT_EQ(ParseTlsVersion("TLS10").value(), kTls10);
  EXPECT_EQ(ParseTlsVersion("TLS11").value(), kTls11);
  EXPECT_EQ(ParseTlsVersion("TLS12").value(), kTls12);
  EXPECT_EQ(ParseTlsVersion("TLS13").value(), kTls13);
  EXPECT_FALSE(ParseTlsVersion("tls12").ok());
  EXPECT_FALSE(ParseTlsVersion("1.2").ok());
}

TEST(CipherSuiteTest, GoNamesMapToOpenSslNames) {
  EXPECT_EQ(GoCipherSuiteToOpenSsl("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256").value(),
            "ECDHE-ECDSA-CHACHA20-POLY1305");
  EXPECT_EQ(GoCipherSuiteToOpenSsl("TLS_RSA_WITH_AES_128_CBC_SHA").value(), "AES128-SHA");
  EXPECT_FALSE(GoCipherSuiteToOpenSsl("ECDHE-RSA-AES128-GCM-SHA256").ok());
}

}  // namespace
}  // namespace hostwatch
