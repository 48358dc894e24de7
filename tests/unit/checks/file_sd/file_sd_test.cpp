#include "collectors/checks/file_sd/file_sd.h"

#include <gtest/gtest.h>

#include "tests/unit/checks/module_checks_test_util.h"

namespace hostwatch {
namespace {

// The JSON Prometheus' documentation shows, read by the YAML reader.
TEST(FileSdTest, ParsesPrometheusJson) {
  ConfigDiagnostics diag("t.json");
  std::vector<TargetGroup> g = ParseFileSd(R"([
  {"targets": ["10.0.0.1:9100", "db1:22"], "labels": {"env": "prod", "job": "node"}},
  {"targets": ["https://example.org/health"]}
])",
                                           &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].targets, (std::vector<std::string>{"10.0.0.1:9100", "db1:22"}));
  EXPECT_EQ(g[0].labels, (std::map<std::string, std::string>{{"env", "prod"}, {"job", "node"}}));
  EXPECT_EQ(g[1].targets, std::vector<std::string>{"https://example.org/health"});
  EXPECT_TRUE(g[1].labels.empty());
}

TEST(FileSdTest, ParsesYamlAndDropsDoubleUnderscoreLabels) {
  ConfigDiagnostics diag("t.yml");
  std::vector<TargetGroup> g = ParseFileSd(R"(- targets: ["web1:80"]
  labels:
    team: web
    __param_module: http_2xx
    __meta_datacenter: dc1
- targets: []
)",
                                           &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].labels, (std::map<std::string, std::string>{{"team", "web"}}));
  EXPECT_TRUE(g[1].targets.empty());
}

TEST(FileSdTest, EmptyFileHasNoTargets) {
  ConfigDiagnostics diag("t.yml");
  EXPECT_TRUE(ParseFileSd("", &diag).empty());
  EXPECT_TRUE(ParseFileSd("# nothing yet\n", &diag).empty());
  EXPECT_TRUE(diag.ok());
}

// Every problem at once, with its line, and no value quoted.
TEST(FileSdTest, ReportsEveryProblemWithItsPosition) {
  ConfigDiagnostics diag("t.json");
  ParseFileSd(R"([
 {"targets": ["a:1", ""], "labels": {"check": "s3cret", "bad-name": "x"}},
 {"labels": {}},
 {"targets": "a:1", "lables": {}},
 5
])",
              &diag);
  const std::vector<std::string> want = {
      "t.json:2:22: [0].targets[1]: must not be empty",
      "t.json:2:38: [0].labels.check: label name is reserved",
      "t.json:2:57: [0].labels.bad-name: invalid label name",
      "t.json:3:2: [1]: targets is required",
      "t.json:4:14: [2].targets: must be a list",
      "t.json:4:21: [2].lables: unknown key (known: targets, labels; did you mean labels?)",
      "t.json:5:2: [3]: must be a mapping",
  };
  EXPECT_EQ(testing::ConfigErrorStrings(diag), want);
  EXPECT_EQ(diag.ToString().find("s3cret"), std::string::npos);
}

TEST(FileSdTest, MalformedSyntaxIsAnErrorWithItsLine) {
  ConfigDiagnostics diag("t.json");
  ParseFileSd("[{\"targets\": [\"a:1\"]}\n", &diag);
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_EQ(diag.errors()[0].file, "t.json");
  EXPECT_GT(diag.errors()[0].line, 0);
  ConfigDiagnostics top("t.yml");
  ParseFileSd("targets: [a:1]\n", &top);
  ASSERT_EQ(top.errors().size(), 1u);
  EXPECT_EQ(top.errors()[0].ToString(), "t.yml:1:1: must be a list, got a mapping");
}

TEST(FileSdTest, NamesPrometheusReads) {
  EXPECT_TRUE(IsFileSdName("/etc/t/a.json"));
  EXPECT_TRUE(IsFileSdName("a.yml"));
  EXPECT_TRUE(IsFileSdName("a.yaml"));
  EXPECT_FALSE(IsFileSdName("a.yml.swp"));
  EXPECT_FALSE(IsFileSdName("a.txt"));
}

}  // namespace
}  // namespace hostwatch
