// ParseRelabelConfigs: Prometheus' relabel.Config read with the one config reader, then checked
// with Prometheus' Validate rules, in Prometheus' order, with its reasons.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

#include "agent/remote_write/relabel.h"
#include "agent/remote_write/relabel_hash.h"
#include "collectors/core/strings.h"

namespace hostwatch::remote_write {
namespace {

const std::vector<std::string_view> kKeys = {"source_labels", "separator",   "regex", "modulus",
                                             "target_label",  "replacement", "action"};

struct ActionName {
  std::string_view name;
  RelabelAction action;
};
constexpr ActionName kActions[] = {
    {"replace", RelabelAction::kReplace},     {"keep", RelabelAction::kKeep},
    {"drop", RelabelAction::kDrop},           {"keepequal", RelabelAction::kKeepEqual},
    {"dropequal", RelabelAction::kDropEqual}, {"hashmod", RelabelAction::kHashMod},
    {"labelmap", RelabelAction::kLabelMap},   {"labeldrop", RelabelAction::kLabelDrop},
    {"labelkeep", RelabelAction::kLabelKeep}, {"lowercase", RelabelAction::kLowercase},
    {"uppercase", RelabelAction::kUppercase},
};

std::string_view ActionText(RelabelAction a) {
  for (const ActionName& n : kActions) {
    if (n.action == a) {
      return n.name;
    }
  }
  return "?";
}

// What one rule's mapping said, before validation. A node is kept for each key that was
// present, so each problem is reported at the key it concerns (or at the rule without one).
struct RawRule {
  RelabelRule rule;
  std::optional<std::string> action;  // nullopt: not given (replace); "" = null, as Go's zero value
  bool source_labels_set = false;     // given and not null (Prometheus: SourceLabels != nil)
  bool regex_set = false;             // given at all, null included (Prometheus compares the pointer)
  std::map<std::string, YAML::Node> nodes;
  bool ok = true;
};

// Go decodes a null into a field's zero value; yaml-cpp would call it "not a string".
bool StringOrNull(ConfigReader& r, const YAML::Node& v, const std::string& p, std::string* out) {
  if (v.IsNull()) {
    out->clear();
    return true;
  }
  return r.String(v, p, out);
}

// Go's regexp (1.22+) and Prometheus 3 accept (?<name>re); this RE2 knows only (?P<name>re).
// Rewrites the former outside character classes and escapes, so both spellings work.
std::string WithPythonGroupNames(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 4);
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    out += c;
    if (c == '\\' && i + 1 < p.size()) {
      out += p[++i];
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') {
        out += p[++i];
      }
      if (i + 1 < p.size() && p[i + 1] == ']') {
        out += p[++i];  // a leading ']' is a member, not the end
      }
    } else if (c == '(' && p.substr(i + 1, 2) == "?<" && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') {
      out += "?P<";
      i += 2;
    }
  }
  return out;
}

void ReadRegex(ConfigReader& r, const YAML::Node& v, const std::string& p, RawRule* raw) {
  raw->regex_set = true;
  std::string text;
  if (!StringOrNull(r, v, p, &text)) {
    raw->ok = false;
    return;
  }
  // Prometheus anchors the pattern so it must match the whole value, and lets "." match "\n"
  // (Prometheus 3; 2.x used (?:...)). A pattern that closes the group itself ("a)|(b") is
  // read the same odd way as in Prometheus. RE2 and Go's regexp share their syntax; they differ
  // in that RE2's "." never matches a byte that is not UTF-8 (Go matches it as U+FFFD), RE2
  // accepts \C, and RE2 refuses programs over its 8 MiB memory budget (docs/remote-write-relabel.md).
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>("^(?s:" + WithPythonGroupNames(text) + ")$", opts);
  if (!re->ok()) {
    r.Error(v, p, "invalid regular expression: " + RegexErrorReason(*re));
    raw->ok = false;
    return;
  }
  raw->rule.regex = std::move(text);
  raw->rule.compiled = std::move(re);
}

void ReadSourceLabels(ConfigReader& r, const YAML::Node& v, const std::string& p, RawRule* raw) {
  raw->source_labels_set = !v.IsNull();
  if (!r.StringList(v, p, &raw->rule.source_labels)) {
    raw->ok = false;
    return;
  }
  for (std::size_t i = 0; i < raw->rule.source_labels.size(); ++i) {
    if (!IsLabelName(raw->rule.source_labels[i])) {
      r.Error(v[i], p + "[" + std::to_string(i) + "]", "is not a valid label name");
      raw->ok = false;
    }
  }
}

void ReadAction(ConfigReader& r, const YAML::Node& v, const std::string& p, RawRule* raw) {
  std::string text;
  if (!StringOrNull(r, v, p, &text)) {
    raw->ok = false;
    return;
  }
  raw->action = text;
  if (v.IsNull()) {
    return;  // Validate says "relabel action cannot be empty"
  }
  std::vector<std::string_view> names;
  const std::string lower = AsciiToLower(text);  // Prometheus lower-cases the action
  for (const ActionName& n : kActions) {
    names.push_back(n.name);
    if (n.name == lower) {
      raw->rule.action = n.action;
      return;
    }
  }
  const std::string_view guess = ClosestSpelling(lower, names);
  r.Error(v, p, "unknown relabel action (known: " + Join(names, ", ") +
                    (guess.empty() ? "" : "; did you mean " + std::string(guess) + "?") + ")");
  raw->ok = false;
}

void ReadField(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p, RawRule* raw) {
  raw->nodes.emplace(key, v);
  RelabelRule& rule = raw->rule;
  bool ok = true;
  if (key == "source_labels") {
    ReadSourceLabels(r, v, p, raw);
  } else if (key == "separator") {
    ok = StringOrNull(r, v, p, &rule.separator);
  } else if (key == "regex") {
    ReadRegex(r, v, p, raw);
  } else if (key == "modulus") {
    long long m = 0;
    ok = v.IsNull() || r.Int(v, p, 0LL, std::numeric_limits<long long>::max(), &m);
    rule.modulus = static_cast<std::uint64_t>(m);
  } else if (key == "target_label") {
    ok = StringOrNull(r, v, p, &rule.target_label);
  } else if (key == "replacement") {
    ok = StringOrNull(r, v, p, &rule.replacement);
  } else {
    ReadAction(r, v, p, raw);
  }
  raw->ok = raw->ok && ok;
}

// Prometheus' Config.Validate, first failing rule wins. Returns the reason and the key it concerns
// ("" = the rule as a whole), or nullopt when the rule is valid.
struct Problem {
  std::string key;
  std::string reason;
};

std::optional<Problem> Validate(const RawRule& raw) {
  const RelabelRule& c = raw.rule;
  using A = RelabelAction;
  const A a = c.action;
  const std::string act(ActionText(a));
  auto any = [a](std::initializer_list<A> set) { return std::find(set.begin(), set.end(), a) != set.end(); };
  if (raw.action && raw.action->empty()) {
    return Problem{"action", "relabel action cannot be empty"};
  }
  if (a == A::kHashMod && c.modulus == 0) {
    return Problem{"modulus", "relabel configuration for hashmod requires non-zero modulus"};
  }
  const bool writes = any({A::kReplace, A::kHashMod, A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual});
  if (writes && c.target_label.empty()) {
    return Problem{"target_label", "relabel configuration for " + act + " action requires 'target_label' value"};
  }
  const bool has_dollar = c.target_label.find('$') != std::string::npos;
  if (a == A::kReplace && (has_dollar ? !IsLabelNameTemplate(c.target_label) : !IsLabelName(c.target_label))) {
    return Problem{"target_label", "invalid 'target_label' for " + act + " action"};
  }
  const bool compares_or_cases = any({A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual});
  if ((compares_or_cases || a == A::kHashMod) && !IsLabelName(c.target_label)) {
    return Problem{"target_label", "invalid 'target_label' for " + act + " action"};
  }
  if (compares_or_cases && c.replacement != "$1") {
    return Problem{"replacement", "'replacement' can not be set for " + act + " action"};
  }
  if (a == A::kLabelMap && !IsLabelNameTemplate(c.replacement)) {
    return Problem{"replacement", "invalid 'replacement' for " + act + " action"};
  }
  if ((a == A::kKeepEqual || a == A::kDropEqual) &&
      (raw.regex_set || c.modulus != 0 || c.separator != ";" || c.replacement != "$1")) {
    return Problem{"", act + " action requires only 'source_labels' and `target_label`, and no other fields"};
  }
  if ((a == A::kLabelDrop || a == A::kLabelKeep) &&
      (raw.source_labels_set || !c.target_label.empty() || c.modulus != 0 || c.separator != ";" ||
       c.replacement != "$1")) {
    return Problem{"", act + " action requires only 'regex', and no other fields"};
  }
  return std::nullopt;
}

// regex as literal alternatives (see RelabelRule::literals), or {} when it is anything more.
std::vector<RelabelRule::Literal> LiteralAlternatives(std::string_view regex) {
  std::vector<RelabelRule::Literal> out;
  for (;;) {
    const std::size_t bar = regex.find('|');
    std::string_view alt = regex.substr(0, bar);
    const bool prefix = alt.size() >= 2 && alt.substr(alt.size() - 2) == ".*";
    if (prefix) {
      alt.remove_suffix(2);
    }
    for (char c : alt) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        return {};
      }
    }
    out.push_back({std::string(alt), prefix});
    if (bar == std::string_view::npos) {
      return out;
    }
    regex.remove_prefix(bar + 1);
  }
}

// Reads and checks one rule of list; false (with the problem reported) when it is not valid.
bool ParseRule(ConfigReader& r, const YAML::Node& list, const YAML::Node& n, const std::string& path,
               RelabelRule* out) {
  if (n.IsNull()) {
    // yaml-cpp marks an empty item at the token after it (often the next item): point at the list.
    r.Error(list, path, "empty or null relabeling rule");
    return false;
  }
  RawRule raw;
  const std::size_t errors_before = r.diag()->errors().size();
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    ReadField(r, key, v, p, &raw);
  });
  if (!raw.ok || r.diag()->errors().size() != errors_before) {
    return false;  // a wrong type, an unknown key: Prometheus' strict unmarshalling stops there too
  }
  if (std::optional<Problem> problem = Validate(raw)) {
    auto it = raw.nodes.find(problem->key);
    const bool at_key = it != raw.nodes.end();
    r.Error(at_key ? it->second : n, at_key ? ConfigReader::Join(path, problem->key) : path, problem->reason);
    return false;
  }
  if (raw.rule.action == RelabelAction::kHashMod && !Md5Available()) {
    r.Error(n, path, "hashmod needs MD5, which this OpenSSL does not provide (FIPS mode?)");
    return false;
  }
  RelabelRule& rule = raw.rule;
  if (!rule.compiled) {
    rule.compiled = std::make_shared<const re2::RE2>("^(?s:(.*))$");  // the default regex
  }
  rule.matches_everything = rule.regex == "(.*)";
  rule.literals = LiteralAlternatives(rule.regex);
  rule.target_template = RegexTemplate::Compile(rule.target_label, *rule.compiled);
  rule.replacement_template = RegexTemplate::Compile(rule.replacement, *rule.compiled);
  *out = std::move(rule);
  return true;
}

}  // namespace

bool ParseRelabelConfigs(ConfigReader& r, const YAML::Node& node, const std::string& path,
                         std::vector<RelabelRule>* out) {
  if (node.IsNull()) {
    out->clear();
    return true;
  }
  std::vector<RelabelRule> rules;
  bool rules_ok = true;
  const bool is_list = r.Items(node, path, [&](const YAML::Node& item, const std::string& item_path) {
    rules_ok = ParseRule(r, node, item, item_path, &rules.emplace_back()) && rules_ok;
  });
  if (!is_list || !rules_ok) {
    return false;
  }
  *out = std::move(rules);
  return true;
}

bool IsLabelNameTemplate(std::string_view text) {
  if (text.empty() || !(IsLabelNameChar(text[0], /*first=*/true) || text[0] == '$')) {
    return false;
  }
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$') {
      if (!IsLabelNameChar(text[i], /*first=*/false)) {
        return false;
      }
      ++i;
      continue;
    }
    ++i;
    const bool brace = i < text.size() && text[i] == '{';
    const std::size_t start = brace ? i + 1 : i;
    std::size_t end = start;
    while (end < text.size() && IsLabelNameChar(text[end], /*first=*/false)) {
      ++end;
    }
    if (end == start || (brace && (end >= text.size() || text[end] != '}'))) {
      return false;
    }
    i = brace ? end + 1 : end;
  }
  return true;
}

}  // namespace hostwatch::remote_write
