#include "collectors/checks/x509/x509_files_config.h"

#include <gtest/gtest.h>

#include "agent/config.h"

namespace hostwatch {
namespace {

std::optional<std::string> NoEnv(const std::string& name) {
  if (name == "CERT_DIR") {
    return "/etc/ssl/secret-dir";
  }
  return std::nullopt;
}

TEST(X509FilesConfigTest, ReadsPathsAndGlobsInOrderOnce) {
  ConfigDiagnostics diag("t.yml");
  FileConfig c = ParseConfigText("x509_files:\n  - /etc/ssl/a.pem\n  - ${CERT_DIR}/*.crt\n  - /etc/ssl/a.pem\n", &diag,
                                 NoEnv);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_EQ(c.x509_files, (std::vector<std::string>{"/etc/ssl/a.pem", "/etc/ssl/secret-dir/*.crt"}));
}

TEST(X509FilesConfigTest, AbsentOrNullIsEmpty) {
  for (const char* text : {"collectors: {}\n", "x509_files:\n", "x509_files: []\n"}) {
    ConfigDiagnostics diag("t.yml");
    FileConfig c = ParseConfigText(text, &diag, NoEnv);
    EXPECT_TRUE(diag.ok()) << text << diag.ToString();
    EXPECT_TRUE(c.x509_files.empty()) << text;
  }
}

TEST(X509FilesConfigTest, EveryBadEntryIsReportedWithItsPositionAndNoValue) {
  ConfigDiagnostics diag("t.yml");
  ParseConfigText(
      "x509_files:\n"
      "  - ${CERT_DIR}/x.pem\n"  // fine
      "  - relative/secret-name.pem\n"
      "  - /etc/ssl/**/secret-glob.pem\n"
      "  - {a: 1}\n"
      "  - ''\n",
      &diag, NoEnv);
  EXPECT_EQ(diag.ToString(),
            "t.yml:3:5: x509_files[1]: must be an absolute path or glob pattern (starting with /)\n"
            "t.yml:4:5: x509_files[2]: ** (recursive match) is not supported; write one * per directory level\n"
            "t.yml:5:5: x509_files[3]: must be a string, got a mapping\n"
            "t.yml:6:5: x509_files[4]: must be an absolute path or glob pattern (starting with /)");
  EXPECT_EQ(diag.ToString().find("secret"), std::string::npos);
}

TEST(X509FilesConfigTest, NotAListIsAnError) {
  ConfigDiagnostics diag("t.yml");
  ParseConfigText("x509_files: /etc/ssl/a.pem\n", &diag, NoEnv);
  EXPECT_EQ(diag.ToString(), "t.yml:1:13: x509_files: must be a list");
}

TEST(X509FilesConfigTest, BoundedNumberOfEntries) {
  std::string text = "x509_files:\n";
  for (std::size_t i = 0; i <= kMaxX509Patterns; ++i) {
    text += "  - /etc/ssl/" + std::to_string(i) + ".pem\n";
  }
  ConfigDiagnostics diag("t.yml");
  ParseConfigText(text, &diag, NoEnv);
  EXPECT_EQ(diag.ToString(), "t.yml:2:3: x509_files: must have at most 1000 entries");
}

}  // namespace
}  // namespace hostwatch
