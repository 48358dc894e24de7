// Issue 16 item 11: configuration errors go into /-/reload's response body
// and the log, and configuration values are ${VAR}-expanded, so a value may be
// a secret from the environment. Every error names the file, line, key and
// reason, and never repeats the text of a value (config_reader.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "agent/runtime_config.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

// Invalid almost everywhere: not a bool, duration, number, URL, method or
// target, and a regular expression with a missing ')'.
constexpr char kSecret[] = "Zq7xK9(vWp";
// A number out of every range, for the integer keys.
constexpr char kNumberSecret[] = "987654321";

// Whether message contains any 4 characters in a row of secret: RE2's own
// errors quote a fragment of the pattern, not all of it.
bool ContainsPartOf(const std::string& message, const std::string& secret) {
  for (std::size_t i = 0; i + 4 <= secret.size(); ++i) {
    if (message.find(secret.substr(i, 4)) != std::string::npos) {
      return true;
    }
  }
  return false;
}

class ConfigSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("HW_TEST_SECRET", kSecret, 1);
    ::setenv("HW_TEST_NUMBER_SECRET", kNumberSecret, 1);
  }
  void TearDown() override {
    ::unsetenv("HW_TEST_SECRET");
    ::unsetenv("HW_TEST_NUMBER_SECRET");
  }

  // The error LoadRuntimeConfig gives for a file with this content ("" when it loads).
  std::string LoadError(const std::string& yaml) {
    dir_.Write("hostwatch.yml", yaml);
    AgentFlags flags;
    flags.config_file = path();
    flags.config_file_given = true;
    Result<RuntimeConfig> config = LoadRuntimeConfig(flags);
    return config.ok() ? "" : config.status().message();
  }

  std::string path() const { return dir_.path() + "/hostwatch.yml"; }

 private:
  testing::TempDir dir_;
};

TEST_F(ConfigSecretsTest, ErrorsNameTheKeyAndLineButNeverAnExpandedValue) {
  const std::string check = "http_checks:\n  checks:\n    - name: a\n      url: http://127.0.0.1/\n      ";
  struct Case {
    std::string yaml;
    std::string where;  // ":line:column: key" the error must name
  } cases[] = {
      {"collectors:\n  disable_defaults: ${HW_TEST_SECRET}\n", ":2:21: collectors.disable_defaults"},
      {"collectors:\n  cpu:\n    enabled: ${HW_TEST_SECRET}\n", ":3:14: collectors.cpu.enabled"},
      {"collectors:\n  cpu:\n    guest: ${HW_TEST_SECRET}\n", ":3:12: collectors.cpu.guest"},
      {"collectors:\n  filesystem:\n    mount_timeout: ${HW_TEST_SECRET}\n",
       ":3:20: collectors.filesystem.mount_timeout"},
      {"collectors:\n  filesystem:\n    stat_workers: ${HW_TEST_SECRET}\n",
       ":3:19: collectors.filesystem.stat_workers"},
      {"collectors:\n  filesystem:\n    mount_points_exclude: 'x${HW_TEST_SECRET}'\n",
       ":3:27: collectors.filesystem.mount_points_exclude"},
      {"http_checks:\n  max_concurrency: ${HW_TEST_NUMBER_SECRET}\n", ":2:20: http_checks.max_concurrency"},
      {"http_checks:\n  checks:\n    - {name: a, url: '${HW_TEST_SECRET}'}\n", ":3:22: http_checks.checks[0].url"},
      {check + "method: ${HW_TEST_SECRET}\n", ":5:15: http_checks.checks[0].method"},
      {check + "timeout: ${HW_TEST_SECRET}\n", ":5:16: http_checks.checks[0].timeout"},
      {check + "max_redirects: ${HW_TEST_NUMBER_SECRET}\n", ":5:22: http_checks.checks[0].max_redirects"},
      {check + "preferred_ip_protocol: ${HW_TEST_SECRET}\n", ":5:30: http_checks.checks[0].preferred_ip_protocol"},
      {check + "fail_if_body_matches_regexp: ['${HW_TEST_SECRET}']\n",
       ":5:37: http_checks.checks[0].fail_if_body_matches_regexp[0]"},
      {check + "body_size_limit: ${HW_TEST_SECRET}\n", ":5:24: http_checks.checks[0].body_size_limit"},
      {check + "tls: {ca_file: '/nonexistent/${HW_TEST_SECRET}'}\n", ":5:22: http_checks.checks[0].tls.ca_file"},
      {"http_checks:\n  checks:\n    - {name: '${HW_TEST_SECRET}', url: 'http://127.0.0.1/'}\n"
       "    - {name: '${HW_TEST_SECRET}', url: 'http://127.0.0.1/'}\n",
       ":4:14: http_checks.checks[1].name"},
      {"http_checks:\n  probe_targets:\n    enabled: true\n    allowed_targets: ['${HW_TEST_SECRET}']\n",
       ":4:23: http_checks.probe_targets.allowed_targets[0]"},
  };
  for (const Case& c : cases) {
    std::string error = LoadError(c.yaml);
    ASSERT_FALSE(error.empty()) << c.yaml;
    EXPECT_NE(error.find(path() + c.where + ": "), std::string::npos) << c.yaml << "\n" << error;
    EXPECT_FALSE(ContainsPartOf(error, kSecret)) << c.yaml << "\n" << error;
    EXPECT_FALSE(ContainsPartOf(error, kNumberSecret)) << c.yaml << "\n" << error;
  }
}

TEST_F(ConfigSecretsTest, MalformedReferencesAreNotQuotedEither) {
  // The raw text around a bad reference can hold a secret written in the file itself.
  for (const char* yaml :
       {"http_checks:\n  token: 'Zq7xK9${HW_TEST_SECRET'\n", "http_checks:\n  token: 'Zq7xK9${Zq7x-K9}'\n"}) {
    std::string error = LoadError(yaml);
    EXPECT_NE(error.find(path() + ":2:10: http_checks.token: "), std::string::npos) << error;
    EXPECT_FALSE(ContainsPartOf(error, kSecret)) << error;
  }
}

}  // namespace
}  // namespace hostwatch
