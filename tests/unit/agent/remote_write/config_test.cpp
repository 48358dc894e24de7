// remote_write: the decided shape of issue 20, Prometheus' endpoint keys, and
// every refusal with its position and reason.
#include "agent/remote_write/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/checks/module_checks_test_util.h"
#include "tests/unit/test_util.h"

namespace hostwatch::remote_write {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

RemoteWriteConfig Parse(const std::string& yaml, ConfigDiagnostics* diag) {
  return ParseRemoteWriteConfig(YAML::Load(yaml)["remote_write"], diag);
}

// The errors of yaml, one string each (file:line:column: key: reason).
std::vector<std::string> Errors(const std::string& yaml) {
  ConfigDiagnostics diag("hw.yml");
  Parse(yaml, &diag);
  return hostwatch::testing::ConfigErrorStrings(diag);
}

TEST(RemoteWriteConfigTest, AbsentOrNullIsOff) {
  for (const char* yaml : {"collectors: {}\n", "remote_write:\n"}) {
    ConfigDiagnostics diag("hw.yml");
    RemoteWriteConfig c = Parse(yaml, &diag);
    EXPECT_TRUE(diag.ok()) << yaml;
    EXPECT_FALSE(c.enabled) << yaml;
  }
}

TEST(RemoteWriteConfigTest, TheIssuesShapeParses) {
  hostwatch::testing::TempDir dir;
  dir.Write("mimir.pw", "s3cret\n");
  dir.Write("token", "tok\n");
  const std::string yaml = R"(remote_write:
  interval: 10s
  external_labels: {job: node, instance: web-1, cluster: eu-1}
  buffer: {directory: /tmp/rw, max_bytes: 64MiB}
  endpoints:
    - url: https://mimir.example/api/v1/push
      name: mimir
      basic_auth: {username: u, password_file: )" + dir.path() + R"(/mimir.pw}
      tls_config: {insecure_skip_verify: false, min_version: TLS12}
      headers: {X-Scope-OrgID: team-a}
      proxy_url: http://proxy:3128
      remote_timeout: 10s
      queue_config: {capacity: 10000, max_samples_per_send: 2000, batch_send_deadline: 5s,
                     min_backoff: 30ms, max_backoff: 5s}
    - url: http://127.0.0.1:8428/api/v1/write
      authorization: {credentials_file: )" + dir.path() + R"(/token}
)";
  ConfigDiagnostics diag("hw.yml");
  RemoteWriteConfig c = Parse(yaml, &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.interval, std::chrono::seconds(10));
  // Sorted by name, as a series' labels are.
  EXPECT_THAT(c.external_labels,
              ElementsAre(Label{"cluster", "eu-1"}, Label{"instance", "web-1"}, Label{"job", "node"}));
  EXPECT_EQ(c.buffer_directory, "/tmp/rw");
  EXPECT_EQ(c.buffer_max_bytes, 64ll << 20);
  ASSERT_EQ(c.endpoints.size(), 2u);
  const Endpoint& m = c.endpoints[0];
  EXPECT_EQ(m.name, "mimir");
  ASSERT_TRUE(m.basic_auth.has_value());
  EXPECT_EQ(m.basic_auth->password, "s3cret");
  EXPECT_EQ(m.tls.min_version, "TLS12");
  EXPECT_THAT(m.headers, ElementsAre(std::pair<std::string, std::string>{"X-Scope-OrgID", "team-a"}));
  EXPECT_EQ(m.proxy_url, "http://proxy:3128");
  EXPECT_EQ(m.remote_timeout, std::chrono::seconds(10));
  EXPECT_EQ(m.queue.capacity, 10000);
  EXPECT_EQ(m.queue.max_samples_per_send, 2000);
  EXPECT_EQ(m.queue.min_backoff, std::chrono::milliseconds(30));
  const Endpoint& vm = c.endpoints[1];
  EXPECT_THAT(vm.headers, ElementsAre(std::pair<std::string, std::string>{"Authorization", "Bearer tok"}));
  // Unnamed: a stable name from the URL, 6 hex digits as Prometheus' hash names are.
  EXPECT_EQ(vm.name.size(), 6u);
  EXPECT_EQ(vm.queue.max_samples_per_send, 500);  // Prometheus 2.42's defaults
  EXPECT_EQ(vm.remote_timeout, std::chrono::seconds(30));
}

TEST(RemoteWriteConfigTest, DefaultsAreThoseOfTheIssue) {
  ConfigDiagnostics diag("hw.yml");
  RemoteWriteConfig c = Parse("remote_write: {endpoints: [{url: 'http://127.0.0.1:1/w'}]}", &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  EXPECT_EQ(c.interval, std::chrono::seconds(15));
  EXPECT_EQ(c.buffer_directory, "/var/lib/hostwatch/remote_write");
  EXPECT_EQ(c.buffer_max_bytes, 256ll << 20);
}

TEST(RemoteWriteConfigTest, WriteRelabelConfigsAreParsedPerEndpoint) {
  ConfigDiagnostics diag("hw.yml");
  RemoteWriteConfig c = Parse("remote_write:\n  endpoints:\n    - url: http://a:1/w\n"
                              "      write_relabel_configs: [{source_labels: [__name__], regex: 'node_.*', action: drop},"
                              " {regex: machine, action: labeldrop}]\n    - url: http://b:1/w\n",
                              &diag);
  ASSERT_TRUE(diag.ok()) << ::testing::PrintToString(hostwatch::testing::ConfigErrorStrings(diag));
  ASSERT_EQ(c.endpoints.size(), 2u);
  ASSERT_EQ(c.endpoints[0].write_relabel_configs.size(), 2u);
  EXPECT_EQ(c.endpoints[0].write_relabel_configs[0].action, RelabelAction::kDrop);
  EXPECT_EQ(c.endpoints[0].write_relabel_configs[1].action, RelabelAction::kLabelDrop);
  EXPECT_TRUE(c.endpoints[1].write_relabel_configs.empty());
}

TEST(RemoteWriteConfigTest, ABadRelabelRuleIsReportedAtItsPlace) {
  std::vector<std::string> errors = Errors("remote_write:\n  endpoints:\n    - url: http://a:1/w\n"
                                           "      write_relabel_configs: [{action: hashmod, modulus: 2}]\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("hw.yml:4:"));
  EXPECT_THAT(errors[0], HasSubstr("remote_write.endpoints[0].write_relabel_configs[0]"));
  EXPECT_THAT(errors[0], HasSubstr("target_label"));
}

TEST(RemoteWriteConfigTest, TyposGetTheNearestKey) {
  std::vector<std::string> errors = Errors("remote_write:\n  endpoints:\n    - url: http://a:1/w\n"
                                           "      queue_config: {max_samples_per_sned: 5}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("hw.yml:4:22: remote_write.endpoints[0].queue_config.max_samples_per_sned"));
  EXPECT_THAT(errors[0], HasSubstr("max_samples_per_send"));
}

TEST(RemoteWriteConfigTest, EachProblemIsReportedAtItsPlace) {
  const std::string yaml = R"(remote_write:
  interval: 0s
  external_labels: {__name__: x, 1bad: y}
  buffer: {directory: relative/dir, max_bytes: 10KB}
  endpoints:
    - url: ftp://a/w
      headers: {Content-Type: text/plain, User-Agent: me}
      basic_auth: {username: u, password: p}
      authorization: {credentials: c}
      queue_config: {min_backoff: 10s, max_backoff: 1s, max_shards: 4}
    - name: same
      url: http://a:1/w
    - name: same
      url: http://b:1/w
      sigv4: {}
)";
  EXPECT_THAT(Errors(yaml),
              ElementsAre("hw.yml:2:13: remote_write.interval: must be greater than 0",
                          "hw.yml:3:21: remote_write.external_labels.__name__: invalid label name",
                          "hw.yml:3:34: remote_write.external_labels.1bad: invalid label name",
                          "hw.yml:4:23: remote_write.buffer.directory: must be an absolute path",
                          "hw.yml:4:48: remote_write.buffer.max_bytes: must be a size of at least 1MiB, such as "
                          "268435456, 512MiB or 1GiB",
                          "hw.yml:6:12: remote_write.endpoints[0].url: must start with http:// or https://",
                          "hw.yml:7:17: remote_write.endpoints[0].headers.Content-Type: is set by hostwatch (a "
                          "reserved header)",
                          "hw.yml:7:43: remote_write.endpoints[0].headers.User-Agent: is set by hostwatch (a "
                          "reserved header)",
                          "hw.yml:10:69: remote_write.endpoints[0].queue_config.max_shards: not supported: hostwatch "
                          "sends on one shard per endpoint",
                          "hw.yml:10:21: remote_write.endpoints[0].queue_config: min_backoff must not be greater "
                          "than max_backoff",
                          "hw.yml:6:7: remote_write.endpoints[0]: at most one of basic_auth and authorization may "
                          "be set",
                          "hw.yml:15:14: remote_write.endpoints[2].sigv4: not supported (use authorization or "
                          "basic_auth)",
                          "hw.yml:13:7: remote_write.endpoints[2]: two endpoints have the name same (the "
                          "remote_name label)"));
}

TEST(RemoteWriteConfigTest, AnEndpointNeedsAUrlAndTheSectionAnEndpoint) {
  EXPECT_THAT(Errors("remote_write:\n  endpoints:\n    - name: x\n"),
              ElementsAre("hw.yml:3:7: remote_write.endpoints[0]: url is required"));
  EXPECT_THAT(Errors("remote_write:\n  interval: 1s\n"),
              ElementsAre("hw.yml:2:3: remote_write: endpoints must list at least one endpoint"));
}

}  // namespace
}  // namespace hostwatch::remote_write
