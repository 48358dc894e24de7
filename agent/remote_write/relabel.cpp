// Relabel: Prometheus' relabel.Process on a sorted label vector.
//
// Prometheus works on a labels.Builder, where reading a label that is not there gives "" and
// setting a label to "" deletes it; the helpers below give the vector the same two rules, and
// keep it sorted so lookups are binary searches. The joined value, the expanded templates and
// the match groups live in per-thread scratch buffers that keep their capacity between series.
#include <algorithm>
#include <charconv>

#include "agent/remote_write/relabel.h"
#include "agent/remote_write/relabel_hash.h"
#include "collectors/core/strings.h"

namespace hostwatch::remote_write {
namespace {

struct Scratch {
  std::string value;   // the joined source values
  std::string target;  // the expanded target_label
  std::string result;  // the expanded replacement, or the case-mapped value
  std::vector<re2::StringPiece> groups;
  std::vector<Label> mapped;  // labelmap: the labels to add, gathered before any is set
};

Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

Labels::iterator LowerBound(Labels& labels, std::string_view name) {
  return std::lower_bound(labels.begin(), labels.end(), name,
                          [](const Label& l, std::string_view n) { return l.name < n; });
}

std::string_view Get(Labels& labels, std::string_view name) {
  auto it = LowerBound(labels, name);
  return it != labels.end() && it->name == name ? std::string_view(it->value) : std::string_view();
}

// Prometheus' Builder.Set: an empty value deletes the label.
void Set(Labels& labels, std::string_view name, std::string_view value) {
  auto it = LowerBound(labels, name);
  const bool found = it != labels.end() && it->name == name;
  if (value.empty()) {
    if (found) {
      labels.erase(it);
    }
  } else if (found) {
    it->value.assign(value);
  } else {
    labels.insert(it, Label{std::string(name), std::string(value)});
  }
}

void JoinSources(const RelabelRule& rule, Labels& labels, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < rule.source_labels.size(); ++i) {
    if (i > 0) {
      out->append(rule.separator);
    }
    out->append(Get(labels, rule.source_labels[i]));
  }
}

// Whether the rule's regex matches all of text (the pattern is anchored).
bool Matches(const RelabelRule& rule, std::string_view text) {
  if (rule.matches_everything) {
    return true;
  }
  if (!rule.literals.empty()) {
    return std::any_of(rule.literals.begin(), rule.literals.end(), [text](const RelabelRule::Literal& l) {
      return l.prefix ? text.starts_with(l.text) : text == l.text;
    });
  }
  return rule.compiled->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED, nullptr, 0);
}

// Matches text and fills groups with the n groups the templates need (0 = the whole match).
bool MatchGroups(const RelabelRule& rule, std::string_view text, int n, std::vector<re2::StringPiece>* groups) {
  const re2::StringPiece piece(text.data(), text.size());
  groups->assign(static_cast<std::size_t>(std::max(n, 2)), re2::StringPiece());
  if (rule.matches_everything) {  // (.*): $0 and $1 are the whole text
    (*groups)[0] = (*groups)[1] = piece;
    return true;
  }
  return rule.compiled->Match(piece, 0, text.size(), RE2::UNANCHORED, groups->data(), n);
}

void Replace(const RelabelRule& rule, Labels& labels, Scratch& s) {
  const int n = std::max(rule.target_template.groups_needed(), rule.replacement_template.groups_needed());
  if (!MatchGroups(rule, s.value, n, &s.groups)) {
    return;  // no match: no replacement
  }
  std::string_view target = rule.target_label;  // valid: checked at load time
  if (rule.target_template.has_dollar()) {
    s.target.clear();
    rule.target_template.AppendTo(s.groups, &s.target);
    if (!IsLabelName(s.target)) {
      return;  // Prometheus skips a target that does not expand to a valid name
    }
    target = s.target;
  }
  s.result.clear();
  rule.replacement_template.AppendTo(s.groups, &s.result);
  Set(labels, target, s.result);  // "" deletes the target
}

// Prometheus iterates over the label set as it was before the rule and sets each mapped name as
// it goes; gathering first and then setting gives the same result. (When two labels map to one
// name the later one in Prometheus' builder order wins; here the later in name order. They differ
// only when an earlier rule of the list added one of the two.)
void LabelMap(const RelabelRule& rule, Labels& labels, Scratch& s) {
  s.mapped.clear();
  const int n = rule.replacement_template.groups_needed();
  for (const Label& l : labels) {
    if (MatchGroups(rule, l.name, n, &s.groups)) {
      std::string name;
      rule.replacement_template.AppendTo(s.groups, &name);
      s.mapped.push_back(Label{std::move(name), l.value});
    }
  }
  for (const Label& m : s.mapped) {
    Set(labels, m.name, m.value);  // unchecked, as in Prometheus: "${1}" of "__1x" gives "1x"
  }
}

// strings.ToLower/ToUpper, for ASCII letters only: other bytes, UTF-8 included, stay as they are.
void MapCase(std::string_view in, bool upper, std::string* out) {
  out->assign(in);
  for (char& c : *out) {
    if (upper && c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (!upper && c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
}

// One rule; false when it drops the series.
bool Apply(const RelabelRule& rule, Labels& labels, Scratch& s) {
  JoinSources(rule, labels, &s.value);
  switch (rule.action) {
    case RelabelAction::kDrop:
      return !Matches(rule, s.value);
    case RelabelAction::kKeep:
      return Matches(rule, s.value);
    case RelabelAction::kDropEqual:
      return Get(labels, rule.target_label) != s.value;
    case RelabelAction::kKeepEqual:
      return Get(labels, rule.target_label) == s.value;
    case RelabelAction::kReplace:
      Replace(rule, labels, s);
      return true;
    case RelabelAction::kLowercase:
    case RelabelAction::kUppercase:
      MapCase(s.value, rule.action == RelabelAction::kUppercase, &s.result);
      Set(labels, rule.target_label, s.result);
      return true;
    case RelabelAction::kHashMod: {
      char digits[24];
      auto end = std::to_chars(digits, digits + sizeof(digits), HashMod(s.value, rule.modulus)).ptr;
      Set(labels, rule.target_label, std::string_view(digits, static_cast<std::size_t>(end - digits)));
      return true;
    }
    case RelabelAction::kLabelMap:
      LabelMap(rule, labels, s);
      return true;
    case RelabelAction::kLabelDrop:
      std::erase_if(labels, [&](const Label& l) { return Matches(rule, l.name); });
      return true;
    case RelabelAction::kLabelKeep:
      std::erase_if(labels, [&](const Label& l) { return !Matches(rule, l.name); });
      return true;
  }
  return true;
}

}  // namespace

bool Relabel(std::span<const RelabelRule> rules, Labels& labels) {
  Scratch& s = ThreadScratch();
  for (const RelabelRule& rule : rules) {
    if (!Apply(rule, labels, s)) {
      return false;
    }
  }
  return true;
}

}  // namespace hostwatch::remote_write
