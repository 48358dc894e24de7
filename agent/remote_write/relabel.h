// write_relabel_configs: Prometheus' relabelling (model/relabel in prometheus/prometheus) for
// the series remote_write pushes. Same keys, defaults, actions, validation and results, so a rule
// list copied from a prometheus.yml behaves here as it does there; the few differences (RE2 for
// Go's regexp, ASCII-only lowercase/uppercase, legacy label names) are listed in
// docs/remote-write-relabel.md and at the code they concern.
//
//   rules: ParseRelabelConfigs (control path: once per configuration load)
//   apply: Relabel (data path: every pushed series, every gather; nothing throws, the only
//          allocations are label strings that change and a per-thread scratch buffer that grows
//          to the longest joined value once)
//
// A RelabelRule is immutable once parsed and shares its compiled regex, so rules are cheap to
// copy and any number of threads may call Relabel with the same rules concurrently.
#pragma once

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/remote_write/labels.h"
#include "collectors/core/regex_template.h"
#include "collectors/core/config_reader.h"

namespace hostwatch::remote_write {

enum class RelabelAction {
  kReplace,    // target_label (expanded) = replacement (expanded) when regex matches; "" deletes it
  kKeep,       // drop the series unless regex matches the joined source values
  kDrop,       // drop the series when regex matches
  kKeepEqual,  // drop the series unless the joined value equals target_label's value
  kDropEqual,  // drop the series when it equals
  kHashMod,    // target_label = md5(joined value) mod modulus (Prometheus' shard hash)
  kLabelMap,   // every label whose name matches: copy its value to the expanded replacement name
  kLabelDrop,  // remove every label whose name matches
  kLabelKeep,  // remove every label whose name does not match
  kLowercase,  // target_label = joined value in lower case
  kUppercase,  // target_label = joined value in upper case
};

// One parsed rule. The defaults are Prometheus' DefaultRelabelConfig.
struct RelabelRule {
  RelabelAction action = RelabelAction::kReplace;
  std::vector<std::string> source_labels;  // values joined with separator in this order; absent = ""
  std::string separator = ";";
  std::string regex = "(.*)";               // as written; matched fully anchored, `.` matching \n too
  std::shared_ptr<const re2::RE2> compiled;  // "^(?s:" + regex + ")$", compiled once at parse time
  std::uint64_t modulus = 0;                // hashmod only; never 0 there
  std::string target_label;
  std::string replacement = "$1";
  RegexTemplate target_template;       // target_label as a Go Regexp.Expand template (replace)
  RegexTemplate replacement_template;  // replacement as one (replace, labelmap)
  bool matches_everything = false;       // regex is "(.*)": it matches, $0 == $1 == the value; RE2 not run
  // When regex is only alternatives of [A-Za-z0-9_] text, each perhaps ending in ".*"
  // ("node_scrape_.*|up"), keep/drop/labeldrop/labelkeep compare strings instead of running RE2:
  // the same answer at a fraction of the cost. Empty otherwise.
  struct Literal {
    std::string text;
    bool prefix;  // ended in ".*": any value that starts with text
  };
  std::vector<Literal> literals;
};

// Parses the list of relabel configs at node (path is its dotted key, e.g.
// "remote_write.endpoints[0].write_relabel_configs"), each a mapping with Prometheus' keys
// (source_labels, separator, regex, modulus, target_label, replacement, action). Null is an empty
// list; a null value of a key is that key's zero value, as in Go (`regex:` alone is the empty regex).
// On success stores the rules in order into *out and returns true. Otherwise adds every problem to
// r's diagnostics as "file:line:column: <path>[i].<key>: <reason>", with Prometheus' reasons
// ("relabel configuration for hashmod action requires 'target_label' value"; values are not
// quoted, see config_reader.h), leaves *out unchanged and returns false. Never throws.
bool ParseRelabelConfigs(ConfigReader& r, const YAML::Node& node, const std::string& path,
                         std::vector<RelabelRule>* out);

// Applies rules in order to labels (sorted by name, unique names, `__name__` included) and returns
// false as soon as one drops the series (labels are then unspecified). On true, labels hold the
// result, still sorted by name, without labels whose value became "". Thread-safe (see above).
bool Relabel(std::span<const RelabelRule> rules, Labels& labels);

// Whether a replace action's target_label (or a labelmap replacement) that contains "$" can
// expand to a label name: it starts with a letter, "_" or a group reference, and is made only of
// letters, digits, "_" and well-formed references ("$1", "${1}", "$name", "${name}").
// Prometheus checks the same with its relabelTargetLegacy pattern.
bool IsLabelNameTemplate(std::string_view text);

}  // namespace hostwatch::remote_write
