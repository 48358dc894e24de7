// ParseRelabelConfigs: Prometheus' validation rules and reasons (relabel.go's Validate,
// relabel_test.go's TestRelabelValidate), reported as file:line:column: key: reason.
#include <gtest/gtest.h>

#include <string>

#include "agent/remote_write/relabel.h"
#include "tests/unit/agent/remote_write/relabel_test_util.h"

namespace hostwatch::remote_write {
namespace {

using testing::ParseErrors;
using testing::Rules;

struct Invalid {
  std::string yaml;
  std::string error;  // the whole diagnostics text
};

TEST(RelabelParseTest, InvalidConfigsWithPrometheusReasons) {
  const std::string k = "relabel.yml:";
  const Invalid cases[] = {
      {"- {action: null, target_label: a}", k + "1:12: write_relabel_configs[0].action: relabel action cannot be empty"},
      {"- {action: hashmod, target_label: a}",
       k + "1:3: write_relabel_configs[0]: relabel configuration for hashmod requires non-zero modulus"},
      {"- {action: hashmod, target_label: a, modulus: 0}",
       k + "1:47: write_relabel_configs[0].modulus: relabel configuration for hashmod requires non-zero modulus"},
      {"- {source_labels: [a]}",
       k + "1:3: write_relabel_configs[0]: relabel configuration for replace action requires 'target_label' value"},
      {"- {action: lowercase, source_labels: [a]}",
       k + "1:3: write_relabel_configs[0]: relabel configuration for lowercase action requires 'target_label' value"},
      {"- {action: hashmod, modulus: 2}",
       k + "1:3: write_relabel_configs[0]: relabel configuration for hashmod action requires 'target_label' value"},
      {"- {target_label: 1abc}", k + "1:18: write_relabel_configs[0].target_label: invalid 'target_label' for replace action"},
      {"- {target_label: '0${3}'}",
       k + "1:18: write_relabel_configs[0].target_label: invalid 'target_label' for replace action"},
      {"- {target_label: 'foo${'}",
       k + "1:18: write_relabel_configs[0].target_label: invalid 'target_label' for replace action"},
      {"- {action: lowercase, target_label: '${3}'}",
       k + "1:37: write_relabel_configs[0].target_label: invalid 'target_label' for lowercase action"},
      {"- {action: hashmod, modulus: 2, target_label: 'a-b'}",
       k + "1:47: write_relabel_configs[0].target_label: invalid 'target_label' for hashmod action"},
      {"- {action: uppercase, target_label: a, replacement: x}",
       k + "1:53: write_relabel_configs[0].replacement: 'replacement' can not be set for uppercase action"},
      {"- {action: labelmap, regex: 'a(.*)', replacement: 'x-$1'}",
       k + "1:51: write_relabel_configs[0].replacement: invalid 'replacement' for labelmap action"},
      {"- {action: keepequal, target_label: a, separator: ','}",
       k + "1:3: write_relabel_configs[0]: keepequal action requires only 'source_labels' and `target_label`, "
           "and no other fields"},
      {"- {action: dropequal, target_label: a, regex: '(.*)'}",
       k + "1:3: write_relabel_configs[0]: dropequal action requires only 'source_labels' and `target_label`, "
           "and no other fields"},
      {"- {action: labeldrop, regex: a, source_labels: []}",
       k + "1:3: write_relabel_configs[0]: labeldrop action requires only 'regex', and no other fields"},
      {"- {action: labelkeep, regex: a, target_label: b}",
       k + "1:3: write_relabel_configs[0]: labelkeep action requires only 'regex', and no other fields"},
      {"- {action: dorp, source_labels: [a]}",
       k + "1:12: write_relabel_configs[0].action: unknown relabel action (known: replace, keep, drop, keepequal, "
           "dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase; did you mean drop?)"},
      {"- {regex: '(a', action: drop}",
       k + "1:11: write_relabel_configs[0].regex: invalid regular expression: missing closing )"},
      {"- {source_labels: [ok, 'a.b'], action: drop}",
       k + "1:24: write_relabel_configs[0].source_labels[1]: is not a valid label name"},
      {"- {source_label: [a], action: drop}",
       k + "1:4: write_relabel_configs[0].source_label: unknown key (known: source_labels, separator, regex, modulus, "
           "target_label, replacement, action; did you mean source_labels?)"},
      {"- {modulus: -1, action: hashmod, target_label: a}",
       k + "1:13: write_relabel_configs[0].modulus: must be between 0 and 9223372036854775807"},
      {"- {action: drop, regex: x}\n- \n", k + "1:1: write_relabel_configs[1]: empty or null relabeling rule"},
      {"{action: drop}", k + "1:1: write_relabel_configs: must be a list, got a mapping"},
  };
  for (const Invalid& c : cases) {
    EXPECT_EQ(ParseErrors(c.yaml), c.error) << c.yaml;
  }
}

TEST(RelabelParseTest, EveryBadRuleIsReportedAtItsLine) {
  const std::string errors = ParseErrors(R"(- source_labels: [__name__]
  regex: node_.*
  action: drop
- action: hashmod
  source_labels: [a]
  target_label: shard
- action: labeldrop
  regex: x
  separator: ","
)");
  EXPECT_EQ(errors,
            "relabel.yml:4:3: write_relabel_configs[1]: relabel configuration for hashmod requires non-zero modulus\n"
            "relabel.yml:7:3: write_relabel_configs[2]: labeldrop action requires only 'regex', and no other fields");
}

TEST(RelabelParseTest, ValidEdgeConfigs) {
  // Action names are case-insensitive; keepequal takes the default values spelled out
  // (TestConfig_UnmarshalThenMarshal's "No regex provided"); null is an empty list.
  EXPECT_EQ(ParseErrors("[{source_labels: [a], action: DROP, regex: x}]"), "");
  EXPECT_EQ(ParseErrors("[{source_labels: [a], separator: ';', target_label: b, replacement: $1, action: keepequal}]"),
            "");
  EXPECT_EQ(ParseErrors("[{regex: '__tmp_hash', action: labeldrop, separator: ';', replacement: $1}]"), "");
  EXPECT_EQ(ParseErrors("~"), "");
  EXPECT_EQ(ParseErrors("[{regex: 'x', action: labelmap}]"), "");  // replacement $1
  EXPECT_EQ(ParseErrors("[{target_label: 'foo${bar}foo', regex: '(?P<bar>.*)'}]"), "");
  const auto rules = Rules("[{source_labels: [a], action: Keep, regex: 'x'}]");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].action, RelabelAction::kKeep);
}

TEST(RelabelParseTest, KubernetesBenchmarkConfigParses) {
  // BenchmarkRelabel's "kubernetes" list, abridged to one rule of each shape it uses.
  const auto rules = Rules(R"(
- source_labels: [__meta_kubernetes_pod_container_port_name]
  regex: .*-metrics
  action: keep
- source_labels: [__meta_kubernetes_pod_label_name]
  action: drop
  regex: ""
- source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
  target_label: __address__
  regex: (.+?)(\:\d+)?;(\d+)
  replacement: $1:$3
  action: replace
- regex: __meta_kubernetes_pod_annotation_prometheus_io_param_(.+)
  replacement: __param_$1
  action: labelmap
- source_labels: [__address__]
  target_label: __tmp_hash
  modulus: 3
  action: hashmod
- source_labels: [__tmp_hash]
  regex: ^0$
  action: keep
- regex: __tmp_hash
  action: labeldrop
)");
  ASSERT_EQ(rules.size(), 7u);
  Labels labels = testing::L({{"__address__", "10.132.183.40:80"},
                              {"__meta_kubernetes_pod_annotation_prometheus_io_port", "9100"},
                              {"__meta_kubernetes_pod_container_port_name", "http-metrics"},
                              {"__meta_kubernetes_pod_label_name", "promtail"}});
  // The address is rewritten to port 9100 first; whether the series stays depends on its shard.
  const bool kept = Relabel(rules, labels);
  if (kept) {
    EXPECT_EQ(labels[0], (Label{"__address__", "10.132.183.40:9100"}));
    for (const Label& l : labels) {
      EXPECT_NE(l.name, "__tmp_hash");
    }
  }
}

// Prometheus' TestTargetLabelLegacyValidity, as facts.
TEST(RelabelParseTest, TargetLabelLegacyValidity) {
  const struct {
    const char* text;
    bool valid;
  } cases[] = {
      {"-label", false}, {"label", true},   {"label${1}", true}, {"${1}label", true},     {"${1}", true},
      {"${", false},     {"$", false},      {"${}", false},      {"foo${", false},        {"$1", true},
      {"asd$2asd", true}, {"-foo${1}bar-", false}, {"bar.foo${1}bar", false}, {"_${1}_", true},
      {"foo${bar}foo", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsLabelNameTemplate(c.text), c.valid) << c.text;
  }
}

}  // namespace
}  // namespace hostwatch::remote_write
