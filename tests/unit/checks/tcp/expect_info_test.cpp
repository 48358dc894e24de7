// blackbox 0.25+'s query_response labels: parsing, the values filled from
// the expect match (blackbox's own TestProbeExpectInfo case), and
// probe_expect_info as /probe and /metrics show it.
#include <gtest/gtest.h>

#include "collectors/checks/check_metrics.h"
#include "collectors/checks/tcp/query_response.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "collectors/core/text_format.h"
#include "tests/unit/checks/module_checks_test_util.h"

namespace hostwatch {
namespace {

std::vector<std::string> Errors(const std::string& yaml) {
  ConfigDiagnostics diag("hw.yml");
  testing::ParseChecksYaml(yaml, &diag);
  return testing::ConfigErrorStrings(diag);
}

TEST(ExpectInfoTest, ParsesLabelsOfAStep) {
  ConfigDiagnostics diag("hw.yml");
  HttpChecksConfig c = testing::ParseChecksYaml(R"(modules:
  ssh: {prober: tcp, tcp: {query_response: [
    {expect: "^SSH-2.0-([^ -]+)(?: (.*))?$", labels: [{name: ssh_version, value: "${1}"},
                                                       {name: ssh_comments, value: "${2}"}]},
    {send: "SSH-2.0-blackbox-ssh-check"}]}}
)",
                                                &diag);
  ASSERT_TRUE(diag.ok()) << diag.ToString();
  const std::vector<ExpectLabel>& labels = c.modules.at("ssh")->tcp->query_response[0].labels;
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].name, "ssh_version");
  EXPECT_EQ(labels[0].value, "${1}");
  EXPECT_EQ(labels[1].name, "ssh_comments");
}

TEST(ExpectInfoTest, RefusesLabelsThatCouldNotShow) {
  const std::vector<std::string> want = {
      "hw.yml:2:64: modules.a.tcp.query_response[0].labels[0].name: invalid label name",
      "hw.yml:2:76: modules.a.tcp.query_response[0].labels[1].name: label name is reserved",
      "hw.yml:2:103: modules.a.tcp.query_response[0].labels[3].name: label \"v\" is listed twice",
      "hw.yml:3:52: modules.b.tcp.query_response[0].labels: labels need an expect in the same step (their values "
      "come from its match)",
      "hw.yml:4:97: modules.c.tcp.query_response[1].labels: only one query_response step may have labels",
      "hw.yml:5:74: modules.d.tcp.query_response[0].labels[0].valeu: unknown key (known: name, value; did you mean "
      "value?)",
  };
  EXPECT_EQ(Errors(R"(modules:
  a: {prober: tcp, tcp: {query_response: [{expect: x, labels: [{name: 1x}, {name: target}, {name: v}, {name: v}]}]}}
  b: {prober: tcp, tcp: {query_response: [{labels: [{name: v, value: x}]}]}}
  c: {prober: tcp, tcp: {query_response: [{expect: a, labels: [{name: v}]}, {expect: b, labels: [{name: w}]}]}}
  d: {prober: tcp, tcp: {query_response: [{expect: a, labels: [{name: v, valeu: x}]}]}}
)"),
            want);
}

// blackbox's TestProbeExpectInfo, plus what a peer's bytes may not do to a label value.
TEST(ExpectInfoTest, ValuesComeFromTheMatchAsGoExpandsThem) {
  re2::RE2 re("^SSH-2.0-([^ -]+)(?: (.*))?$");
  std::vector<std::string_view> groups;
  const std::string line = "SSH-2.0-OpenSSH_6.9p1 Debian-2";
  ASSERT_TRUE(MatchLine(re, line, &groups));
  EXPECT_EQ(ExpectLabelValue(re, "got ${1} here", groups), "got OpenSSH_6.9p1 here");
  EXPECT_EQ(ExpectLabelValue(re, "${1} on ${2}", groups), "OpenSSH_6.9p1 on Debian-2");

  re2::RE2 any("^(.*)$");
  const std::string long_line(5000, 'x');
  ASSERT_TRUE(MatchLine(any, long_line, &groups));
  EXPECT_EQ(ExpectLabelValue(any, "${1}", groups).size(), kMaxExpectLabelValue);
  // A regex read as Latin-1 lets any byte through: the value is made valid UTF-8 all the same.
  re2::RE2 bytes("^(.*)$", re2::RE2::Latin1);
  const std::string bad = "a\xff\xfe" "b";
  ASSERT_TRUE(MatchLine(bytes, bad, &groups));
  EXPECT_EQ(ExpectLabelValue(bytes, "${1}", groups), "a\xEF\xBF\xBD" "b");
}

TEST(ExpectInfoTest, ProbeAndCheckSeriesShowProbeExpectInfo) {
  ProbeResult r;
  r.prober = ProberKind::kTcp;
  r.success = true;
  r.expect_info = {{"ssh_version", "OpenSSH_6.9p1"}, {"env", "from-the-peer"}};
  const std::string text = RenderProbeText(r);
  EXPECT_NE(text.find("# HELP probe_expect_info Explicit content matched\n# TYPE probe_expect_info gauge\n"
                      "probe_expect_info{env=\"from-the-peer\",ssh_version=\"OpenSSH_6.9p1\"} 1\n"),
            std::string::npos)
      << text;

  // On /metrics a check's own label of the same name wins: one series cannot carry a name twice.
  CheckDescs descs({"check", "target", "env"});
  MetricSink sink;
  AddResultSeries(r, descs, {"ssh", "h:22", "prod"}, sink);
  const std::string labelled = SerializeText(sink.TakeFamilies());
  EXPECT_NE(labelled.find("probe_expect_info{check=\"ssh\",env=\"prod\",ssh_version=\"OpenSSH_6.9p1\","
                          "target=\"h:22\"} 1\n"),
            std::string::npos)
      << labelled;

  r.expect_info.clear();  // no labelled step, or it never matched: no series, as blackbox
  EXPECT_EQ(RenderProbeText(r).find("probe_expect_info"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
