#include "agent/web/web_security.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace hostwatch {
namespace {

// bcrypt("secret") and bcrypt("other") at cost 4.
constexpr char kSecret[] = "$2y$04$Dou7PLfgexf9l35tCujxluySOeOkTh4m5n3sR7FfgPkd.m4MNlCWO";
constexpr char kAliceSecret[] = "Basic YWxpY2U6c2VjcmV0";  // alice:secret

// Writes a fresh self-signed P-256 certificate and its key as PEM files.
void WriteSelfSigned(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class WebSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hostwatch-websec-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "web.yml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(WebSecurityTest, NoFileMeansNoTlsAndNoAuth) {
  auto security = WebSecurity::Load("");
  ASSERT_TRUE(security.ok());
  EXPECT_FALSE(security.value()->tls_enabled());
  EXPECT_FALSE(security.value()->Current()->RequiresAuth("/metrics"));
  EXPECT_TRUE(security.value()->ReloadNow().ok());
}

TEST_F(WebSecurityTest, UsersProtectEverythingButUnauthenticatedPaths) {
  Write(std::string("basic_auth_users: {alice: '") + kSecret + "'}\n");
  auto security = WebSecurity::Load(path_);
  ASSERT_TRUE(security.ok()) << security.status().message();
  auto state = security.value()->Current();
  EXPECT_TRUE(state->RequiresAuth("/metrics"));
  EXPECT_TRUE(state->RequiresAuth("/no-such-path"));
  EXPECT_FALSE(state->RequiresAuth("/-/healthy"));
  EXPECT_TRUE(state->auth->Check(kAliceSecret));
}

TEST_F(WebSecurityTest, BadReloadKeepsThePreviousState) {
  Write(std::string("basic_auth_users: {alice: '") + kSecret + "'}\n");
  auto loaded = WebSecurity::Load(path_);
  ASSERT_TRUE(loaded.ok());
  WebSecurity& security = *loaded.value();

  Write("basic_auth_users: {alice: not-a-hash}\n");
  Status s = security.ReloadNow();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bcrypt"), std::string::npos) << s.message();
  EXPECT_FALSE(security.last_reload_ok());
  EXPECT_TRUE(security.Current()->auth->Check(kAliceSecret));

  Write("unauthenticated_paths: []\n");
  EXPECT_TRUE(security.ReloadNow().ok());
  EXPECT_TRUE(security.last_reload_ok());
  EXPECT_FALSE(security.Current()->RequiresAuth("/metrics"));  // no users any more
}

TEST_F(WebSecurityTest, SwitchingTlsOnOrOffNeedsARestart) {
  WriteSelfSigned((dir_ / "a.crt").string(), (dir_ / "a.key").string());
  Write("{}\n");
  auto plain = WebSecurity::Load(path_);
  ASSERT_TRUE(plain.ok());
  // A valid TLS section is refused at reload: the listeners were bound without TLS.
  Write("tls_server_config: {cert_file: a.crt, key_file: a.key}\n");
  Status s = plain.value()->ReloadNow();
  EXPECT_NE(s.message().find("needs a restart"), std::string::npos) << s.message();
  EXPECT_FALSE(plain.value()->Current()->tls);

  auto tls = WebSecurity::Load(path_);
  ASSERT_TRUE(tls.ok()) << tls.status().message();
  EXPECT_TRUE(tls.value()->tls_enabled());
  Write("{}\n");
  s = tls.value()->ReloadNow();
  EXPECT_NE(s.message().find("needs a restart"), std::string::npos) << s.message();
  EXPECT_TRUE(tls.value()->Current()->tls);
}

TEST_F(WebSecurityTest, KeyMustMatchCertificate) {
  WriteSelfSigned((dir_ / "a.crt").string(), (dir_ / "a.key").string());
  WriteSelfSigned((dir_ / "b.crt").string(), (dir_ / "b.key").string());
  Write("tls_server_config: {cert_file: a.crt, key_file: b.key}\n");
  auto security = WebSecurity::Load(path_);
  ASSERT_FALSE(security.ok());
  // OpenSSL notices while loading the key ("key values mismatch"); the message names the key file.
  EXPECT_NE(security.status().message().find("b.key"), std::string::npos) << security.status().message();
  EXPECT_NE(security.status().message().find("mismatch"), std::string::npos) << security.status().message();
}

TEST_F(WebSecurityTest, ChangedCertificateIsPickedUpByCurrent) {
  WriteSelfSigned((dir_ / "a.crt").string(), (dir_ / "a.key").string());
  Write("tls_server_config: {cert_file: a.crt, key_file: a.key}\n");
  auto loaded = WebSecurity::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto before = loaded.value()->Current()->tls;
  // Replace both files (as renewal does: write, then rename over the old ones).
  WriteSelfSigned((dir_ / "new.crt").string(), (dir_ / "new.key").string());
  std::filesystem::rename(dir_ / "new.key", dir_ / "a.key");
  std::filesystem::rename(dir_ / "new.crt", dir_ / "a.crt");
  // Current() re-checks the files at most once per interval.
  std::this_thread::sleep_for(WebSecurity::kRecheckInterval + std::chrono::milliseconds(50));
  auto after = loaded.value()->Current()->tls;
  EXPECT_NE(before, after);
  EXPECT_TRUE(loaded.value()->last_reload_ok());
}

TEST_F(WebSecurityTest, FileThatSetsNothingAtStartIsAnErrorNamingIt) {
  for (const std::string text : {"", "\n  \n", "# basic_auth_users:\n#   alice: x\n"}) {
    Write(text);
    auto security = WebSecurity::Load(path_);
    ASSERT_FALSE(security.ok()) << "accepted: \"" << text << "\"";
    EXPECT_NE(security.status().message().find(path_ + ": the file sets nothing"), std::string::npos)
        << security.status().message();
  }
  Write("{}\n");
  EXPECT_TRUE(WebSecurity::Load(path_).ok());
}

TEST_F(WebSecurityTest, TruncatedFileOnReloadKeepsAuthAndReportsFailure) {
  // Issue 16: a web config caught mid-write (empty, or cut before its first key) turned auth off.
  Write(std::string("basic_auth_users: {alice: '") + kSecret + "'}\n");
  auto loaded = WebSecurity::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  WebSecurity& security = *loaded.value();
  for (const std::string text : {"", "# a comment the tool wrote first\n"}) {
    Write(text);
    Status s = security.ReloadNow();
    EXPECT_FALSE(s.ok()) << "accepted: \"" << text << "\"";
    EXPECT_NE(s.message().find("sets nothing"), std::string::npos) << s.message();
    EXPECT_FALSE(security.last_reload_ok());
    EXPECT_TRUE(security.Current()->RequiresAuth("/metrics"));
    EXPECT_TRUE(security.Current()->auth->Check(kAliceSecret));
  }
  // The complete file arrives: reloaded, and the metric recovers.
  Write(std::string("basic_auth_users: {alice: '") + kSecret + "'}\n");
  EXPECT_TRUE(security.ReloadNow().ok());
  EXPECT_TRUE(security.last_reload_ok());
}

TEST_F(WebSecurityTest, ReloadWithTheSameUsersKeepsTheAuthenticatorAndItsCache) {
  const std::string users = std::string("basic_auth_users: {alice: '") + kSecret + "'}\n";
  Write(users);
  auto loaded = WebSecurity::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  WebSecurity& security = *loaded.value();
  auto before = security.Current()->auth;
  EXPECT_TRUE(before->Check(kAliceSecret));
  Write(users + "http_server_config: {headers: {X-Frame-Options: deny}}\n");
  ASSERT_TRUE(security.ReloadNow().ok());
  EXPECT_EQ(security.Current()->config.headers.size(), 1u);
  EXPECT_EQ(security.Current()->auth, before);
  EXPECT_TRUE(security.Current()->auth->Check(kAliceSecret));
  EXPECT_EQ(security.Current()->auth->stats().bcrypt_runs, 1u);  // the second check came from the cache
  Write("basic_auth_users: {bob: '" + std::string(kSecret) + "'}\n");
  ASSERT_TRUE(security.ReloadNow().ok());
  EXPECT_NE(security.Current()->auth, before);
  EXPECT_FALSE(security.Current()->auth->Check(kAliceSecret));
}

TEST_F(WebSecurityTest, MissingFileAtStartIsAnError) {
  auto security = WebSecurity::Load((dir_ / "absent.yml").string());
  ASSERT_FALSE(security.ok());
  EXPECT_NE(security.status().message().find("absent.yml"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
