// Relabel against the cases of Prometheus' model/relabel/relabel_test.go (TestRelabel and the
// configurations of its BenchmarkRelabel), taken as facts: the same input labels, rules and
// expected output or drop. Cases that need UTF-8 label names (Prometheus 3's other scheme) are
// left out: hostwatch checks names with the legacy rules (see IsLabelName in collectors/core/strings.h).
#include "agent/remote_write/relabel.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/unit/agent/remote_write/relabel_test_util.h"

namespace hostwatch::remote_write {
namespace {

using testing::L;
using testing::Rules;

struct Case {
  const char* name;
  Labels input;
  std::string rules;              // YAML, a list of relabel configs
  std::optional<Labels> output;  // nullopt: the series is dropped
};

const Labels kAbc = L({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}});
const Labels kPorts = L({{"__tmp_port", "1234"}, {"__port1", "1234"}, {"__port2", "5678"}});
const Labels kLines = L({{"a", "line1\nline2"}, {"b", "bar"}, {"c", "baz"}});

std::vector<Case> PrometheusCases() {
  return {
      {"ReplaceWithBracedGroup", kAbc,
       "[{source_labels: [a], regex: 'f(.*)', target_label: d, separator: ';', replacement: 'ch${1}-ch${1}'}]",
       L({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "choo-choo"}})},
      {"ReplaceChainSeesEarlierResult", kAbc,
       "- {source_labels: [a, b], regex: 'f(.*);(.*)r', target_label: a, replacement: 'b${1}${2}m'}\n"
       "- {source_labels: [c, a], regex: '(b).*b(.*)ba(.*)', target_label: d, replacement: '$1$2$2$3'}\n",
       L({{"a", "boobam"}, {"b", "bar"}, {"c", "baz"}, {"d", "boooom"}})},
      {"DropStopsBeforeLaterRules", L({{"a", "foo"}}),
       "- {source_labels: [a], regex: '.*o.*', action: drop}\n"
       "- {source_labels: [a], regex: 'f(.*)', target_label: d, replacement: 'ch$1-ch$1'}\n",
       std::nullopt},
      {"DropOnMatch", L({{"a", "foo"}, {"b", "bar"}}), "[{source_labels: [a], regex: '.*o.*', action: drop}]",
       std::nullopt},
      {"ReplaceInnerGroup", L({{"a", "abc"}}), "[{source_labels: [a], regex: '.*(b).*', target_label: d}]",
       L({{"a", "abc"}, {"d", "b"}})},
      {"DropWithoutMatchKeeps", L({{"a", "foo"}}), "[{source_labels: [a], regex: no-match, action: drop}]",
       L({{"a", "foo"}})},
      {"RegexIsAnchored", L({{"a", "foo"}}), "[{source_labels: [a], regex: 'f|o', action: drop}]", L({{"a", "foo"}})},
      {"KeepWithoutMatchDrops", L({{"a", "foo"}}), "[{source_labels: [a], regex: no-match, action: keep}]",
       std::nullopt},
      {"KeepOnMatch", L({{"a", "foo"}}), "[{source_labels: [a], regex: 'f.*', action: keep}]", L({{"a", "foo"}})},
      {"NoMatchNoReplacement", L({{"a", "boo"}}),
       "[{source_labels: [a], regex: f, target_label: b, replacement: bar}]", L({{"a", "boo"}})},
      {"BlankReplacementDeletesTheLabel", L({{"a", "foo"}, {"f", "baz"}}),
       "[{source_labels: [a], regex: '(f).*', target_label: '$1', replacement: '$2'}]", L({{"a", "foo"}})},
      {"HashMod", kAbc, "[{source_labels: [c], target_label: d, action: hashmod, modulus: 1000}]",
       L({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "976"}})},
      {"HashModOfNewline", L({{"a", "foo\nbar"}}),
       "[{source_labels: [a], target_label: b, action: hashmod, modulus: 1000}]",
       L({{"a", "foo\nbar"}, {"b", "734"}})},
      {"LabelMap", L({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}}),
       "[{regex: '(b.*)', replacement: 'bar_${1}', action: labelmap}]",
       L({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}, {"bar_b1", "bar"}, {"bar_b2", "baz"}})},
      {"LabelMapMeta", L({{"a", "foo"}, {"__meta_my_bar", "aaa"}, {"__meta_my_baz", "bbb"}, {"__meta_other", "ccc"}}),
       "[{regex: '__meta_(my.*)', replacement: '${1}', action: labelmap}]",
       L({{"a", "foo"}, {"__meta_my_bar", "aaa"}, {"__meta_my_baz", "bbb"}, {"__meta_other", "ccc"},
          {"my_bar", "aaa"}, {"my_baz", "bbb"}})},
      {"TargetFromGroup", L({{"a", "some-name-value"}}),
       "[{source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${2}', target_label: '${1}'}]",
       L({{"a", "some-name-value"}, {"name", "value"}})},
      {"MissingGroupReplacementIsBlank", L({{"a", "some-name-value"}}),
       "[{source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${3}', target_label: '${1}'}]",
       L({{"a", "some-name-value"}})},
      {"InvalidExpandedTargetIsSkipped", L({{"a", "some-name-0"}}),
       "- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '${3}'}\n"
       "- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '${3}'}\n"
       "- {source_labels: [a], regex: 'some-([^-]+)(-[^,]+)', replacement: '${1}', target_label: '${3}'}\n",
       L({{"a", "some-name-0"}})},
      {"RealLifeTags", L({{"__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"}}),
       "- {source_labels: [__meta_sd_tags], regex: '(?:.+,|^)path:(/[^,]+).*', replacement: '${1}',"
       "   target_label: __metrics_path__}\n"
       "- {source_labels: [__meta_sd_tags], regex: '(?:.+,|^)job:([^,]+).*', replacement: '${1}', target_label: job}\n"
       "- {source_labels: [__meta_sd_tags], regex: '(?:.+,|^)label:([^=]+)=([^,]+).*', replacement: '${2}',"
       "   target_label: '${1}'}\n",
       L({{"__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"}, {"__metrics_path__", "/secret"},
          {"job", "some-job"}, {"foo", "bar"}})},
      {"Issue12283", L({{"__meta_kubernetes_pod_container_port_name", "foo"},
                        {"__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"}}),
       "- {regex: '^__meta_kubernetes_pod_container_port_name$', action: labeldrop}\n"
       "- {source_labels: [__meta_kubernetes_pod_annotation_XXX_metrics_port], regex: '(.+)', replacement: metrics,"
       "   target_label: __meta_kubernetes_pod_container_port_name}\n"
       "- {source_labels: [__meta_kubernetes_pod_container_port_name], regex: '^metrics$', action: keep}\n",
       L({{"__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"},
          {"__meta_kubernetes_pod_container_port_name", "metrics"}})},
      {"LabelKeep", L({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}}), "[{regex: '(b.*)', action: labelkeep}]",
       L({{"b1", "bar"}, {"b2", "baz"}})},
      {"LabelDrop", L({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}}), "[{regex: '(b.*)', action: labeldrop}]",
       L({{"a", "foo"}})},
      {"UppercaseLowercase", L({{"foo", "bAr123Foo"}}),
       "- {source_labels: [foo], action: uppercase, target_label: foo_uppercase}\n"
       "- {source_labels: [foo], action: lowercase, target_label: foo_lowercase}\n",
       L({{"foo", "bAr123Foo"}, {"foo_lowercase", "bar123foo"}, {"foo_uppercase", "BAR123FOO"}})},
      {"KeepEqualKeeps", kPorts, "[{source_labels: [__tmp_port], action: keepequal, target_label: __port1}]", kPorts},
      {"DropEqualDrops", kPorts, "[{source_labels: [__tmp_port], action: dropequal, target_label: __port1}]",
       std::nullopt},
      {"DropEqualKeeps", kPorts, "[{source_labels: [__tmp_port], action: dropequal, target_label: __port2}]", kPorts},
      {"KeepEqualDrops", kPorts, "[{source_labels: [__tmp_port], action: keepequal, target_label: __port2}]",
       std::nullopt},
      {"DotMatchesNewline", kLines,
       "[{source_labels: [a], regex: 'line1.*line2', target_label: d, replacement: 'match${1}'}]",
       L({{"a", "line1\nline2"}, {"b", "bar"}, {"c", "baz"}, {"d", "match"}})},
      {"NamedGroupsBothSpellings", kLines,
       "- {source_labels: [a], regex: '(line1).*(?<second>line2)', target_label: 'label1_${1}',"
       "   replacement: 'val_${second}'}\n"
       "- {source_labels: [a], regex: '(line1).*(?P<second>line2)', target_label: 'label2_$1',"
       "   replacement: 'val_$second'}\n",
       L({{"a", "line1\nline2"}, {"b", "bar"}, {"c", "baz"}, {"label1_line1", "val_line2"},
          {"label2_line1", "val_line2"}})},
  };
}

TEST(RelabelTest, PrometheusCases) {
  for (const Case& c : PrometheusCases()) {
    SCOPED_TRACE(c.name);
    const std::vector<RelabelRule> rules = Rules(c.rules);
    Labels labels = c.input;
    const bool kept = Relabel(rules, labels);
    EXPECT_EQ(kept, c.output.has_value());
    if (kept && c.output) {
      EXPECT_EQ(labels, *c.output);
    }
  }
}

// BenchmarkRelabel's "example" (from Prometheus' conf.good.yml): a null regex is the empty regex.
TEST(RelabelTest, ConfGoodExample) {
  const auto rules = Rules(R"(
- source_labels: [job, __meta_dns_name]
  regex: "(.*)some-[regex]"
  target_label: job
  replacement: foo-${1}
- source_labels: [abc]
  target_label: cde
- replacement: static
  target_label: abc
- regex:
  replacement: static
  target_label: abc
)");
  Labels labels = L({{"__meta_dns_name", "example-some-x.com"}, {"abc", "def"}, {"job", "foo"}});
  ASSERT_TRUE(Relabel(rules, labels));
  EXPECT_EQ(labels, L({{"__meta_dns_name", "example-some-x.com"}, {"abc", "static"}, {"cde", "def"}, {"job", "foo"}}));
  EXPECT_EQ(rules[3].regex, "");
}

// BenchmarkRelabel's "static label pair": literal pairs are set; "${0}" as a target expands to ""
// (not a name: skipped) and as a replacement to "" (deletes the target).
TEST(RelabelTest, StaticLabelPairs) {
  const auto rules = Rules(R"(
- {replacement: wwwwww, target_label: wwwwww}
- {replacement: yyyyyyyyyyyy, target_label: xxxxxxxxx}
- {source_labels: ["something"], target_label: with_source_labels, replacement: value}
- {replacement: dropped, target_label: "${0}"}
- {replacement: "${0}", target_label: job}
)");
  Labels labels = L({{"abcdefg01", "hijklmn1"}, {"job", "foo"}});
  ASSERT_TRUE(Relabel(rules, labels));
  EXPECT_EQ(labels, L({{"abcdefg01", "hijklmn1"}, {"with_source_labels", "value"}, {"wwwwww", "wwwwww"},
                       {"xxxxxxxxx", "yyyyyyyyyyyy"}}));
}

TEST(RelabelTest, DefaultsCopyTheJoinedValue) {
  const auto rules = Rules("[{source_labels: [a, b], target_label: ab}]");
  EXPECT_EQ(rules[0].action, RelabelAction::kReplace);
  EXPECT_EQ(rules[0].separator, ";");
  EXPECT_EQ(rules[0].regex, "(.*)");
  EXPECT_EQ(rules[0].replacement, "$1");
  Labels labels = L({{"a", "x"}, {"b", "y"}});
  ASSERT_TRUE(Relabel(rules, labels));
  EXPECT_EQ(labels, L({{"a", "x"}, {"ab", "x;y"}, {"b", "y"}}));
}

TEST(RelabelTest, MissingSourceLabelsReadAsEmpty) {
  const auto rules = Rules("[{source_labels: [nope, a], separator: '/', regex: '/x', action: keep}]");
  Labels labels = L({{"a", "x"}});
  EXPECT_TRUE(Relabel(rules, labels));
}

TEST(RelabelTest, MetricNameIsALabel) {
  const auto rules = Rules(R"(
- {source_labels: [__name__], regex: 'node_scrape_.*', action: drop}
- {source_labels: [__name__], regex: 'node_(.*)_total', target_label: __name__, replacement: 'host_${1}'}
)");
  Labels scrape = L({{"__name__", "node_scrape_collector_success"}, {"collector", "cpu"}});
  EXPECT_FALSE(Relabel(rules, scrape));
  Labels cpu = L({{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}});
  ASSERT_TRUE(Relabel(rules, cpu));
  EXPECT_EQ(cpu, L({{"__name__", "host_cpu_seconds"}, {"cpu", "0"}}));
}

TEST(RelabelTest, LowercaseOfEmptyValueDeletesTarget) {
  const auto rules = Rules("[{source_labels: [missing], action: lowercase, target_label: a}]");
  Labels labels = L({{"a", "x"}, {"b", "y"}});
  ASSERT_TRUE(Relabel(rules, labels));
  EXPECT_EQ(labels, L({{"b", "y"}}));
}

// Go's strings.ToLower maps every Unicode letter; here only ASCII ones (docs/remote-write-relabel.md).
TEST(RelabelTest, CaseMappingIsAsciiOnly) {
  const auto rules = Rules("[{source_labels: [a], action: uppercase, target_label: b}]");
  Labels labels = L({{"a", "stra\xc3\x9f" "e-\xc3\xa9t\xc3\xa9"}});
  ASSERT_TRUE(Relabel(rules, labels));
  EXPECT_EQ(labels[1].value, "STRA\xc3\x9f" "E-\xc3\xa9T\xc3\xa9");
}

TEST(RelabelTest, LabelMapKeepsTheSourceAndOverwrites) {
  const auto rules = Rules("[{regex: 'tmp_(.*)', action: labelmap}]");
  Labels labels = L({{"tmp_job", "new"}, {"job", "old"}});
  ASSERT_TRUE(Relabel(rules, labels));
  EXPECT_EQ(labels, L({{"job", "new"}, {"tmp_job", "new"}}));
}

TEST(RelabelTest, ResultStaysSortedAcrossInsertsAndDeletes) {
  const auto rules = Rules(R"(
- {target_label: zz, replacement: "1"}
- {target_label: aa, replacement: "2"}
- {target_label: mm, replacement: "3"}
- {regex: "b.*", action: labeldrop}
)");
  Labels labels = L({{"b", "x"}, {"n", "y"}});
  ASSERT_TRUE(Relabel(rules, labels));
  EXPECT_EQ(labels, L({{"aa", "2"}, {"mm", "3"}, {"n", "y"}, {"zz", "1"}}));
}

TEST(RelabelTest, HashModSharding) {
  // 3 shards of __address__ as in BenchmarkRelabel's kubernetes case; every value lands in [0, 3).
  const auto rules = Rules("[{source_labels: [i], target_label: shard, modulus: 3, action: hashmod}]");
  for (int i = 0; i < 50; ++i) {
    Labels labels = L({{"i", std::to_string(i)}});
    ASSERT_TRUE(Relabel(rules, labels));
    const int shard = std::stoi(labels[1].value);
    EXPECT_TRUE(shard >= 0 && shard < 3) << labels[1].value;
  }
}

// Literal patterns are compared as strings, not run through RE2: the answers must be RE2's.
TEST(RelabelTest, LiteralFastPathAgreesWithRe2) {
  const char* patterns[] = {"up", "node_scrape_.*|node_schedstat_.*", "a|", "", "cpu|mode", "x.*y", "a.*|b"};
  const char* values[] = {"up", "upx", "node_scrape_x", "node_scrape_", "", "a", "node_schedstat", "mode",
                          "xzy", "ab", "b", "a\nb"};
  for (const char* pattern : patterns) {
    for (const char* action : {"drop", "keep"}) {
      std::vector<RelabelRule> fast = Rules(std::string("[{source_labels: [v], action: ") + action + ", regex: '" +
                                            pattern + "'}]");
      std::vector<RelabelRule> slow = fast;
      slow[0].literals.clear();
      for (const char* value : values) {
        Labels a = L({{"v", value}});
        Labels b = a;
        EXPECT_EQ(Relabel(fast, a), Relabel(slow, b)) << pattern << " " << action << " " << value;
      }
    }
  }
  EXPECT_EQ(Rules("[{regex: 'node_.*|up', action: drop}]")[0].literals.size(), 2u);
  EXPECT_TRUE(Rules("[{regex: 'x.*y', action: drop}]")[0].literals.empty());
}

TEST(RelabelTest, NoRulesKeepEverything) {
  Labels labels = L({{"a", "b"}});
  EXPECT_TRUE(Relabel({}, labels));
  EXPECT_EQ(labels, L({{"a", "b"}}));
}

}  // namespace
}  // namespace hostwatch::remote_write
