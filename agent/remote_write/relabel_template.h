// The text templates of write_relabel_configs (target_label and replacement) and the label-name
// rules they are checked against, as Prometheus' model/relabel applies them.
//
// A template is expanded as Go's Regexp.Expand does: "$1" and "${1}" are capturing group 1,
// "$name" / "${name}" the group named name, "$$" a literal "$". "$name" takes the longest run of
// letters, digits and "_" ("$1x" is the group named "1x", which does not exist: use "${1}x"). A
// group that does not exist, or did not take part in the match, expands to "". A "$" that starts
// no valid reference ("${", "$-") stays a literal "$". Group names are resolved once, when the
// template is compiled against its regex, so expanding does no lookups.
//
// Immutable once compiled; any thread may expand the same template concurrently.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch::remote_write {

class RelabelTemplate {
 public:
  RelabelTemplate() = default;

  // text read against re's capturing groups (numbers beyond re's groups and unknown names expand to "").
  static RelabelTemplate Compile(std::string_view text, const re2::RE2& re);

  // Appends the expansion to *out; groups[i] is the text of group i (0 = the whole match), as
  // RE2::Match fills it (this RE2 speaks re2::StringPiece). Groups past the span's end are "".
  void AppendTo(std::span<const re2::StringPiece> groups, std::string* out) const;

  // The template text contains a "$" (Prometheus' varInRegexTemplate): without one it is its own expansion.
  bool has_dollar() const { return has_dollar_; }
  // 1 + the highest group the template refers to; 0 when it refers to none (the match then needs no groups).
  int groups_needed() const { return groups_needed_; }

 private:
  struct Piece {
    int group;            // >= 0: a capturing group; -1: literal text_[begin, begin + size)
    std::uint32_t begin;  // literal only
    std::uint32_t size;
  };
  std::string text_;  // all literal parts, back to back
  std::vector<Piece> pieces_;
  bool has_dollar_ = false;
  int groups_needed_ = 0;
};

// Prometheus' LabelName.IsValid under the legacy validation scheme: [a-zA-Z_][a-zA-Z0-9_]*.
// (Prometheus 3 also offers UTF-8 names; hostwatch's own series and Prometheus 2 receivers use these.)
bool IsLegacyLabelName(std::string_view name);

// Whether a replace action's target_label (or a labelmap replacement) that contains "$" can
// expand to a label name: it starts with a letter, "_" or a group reference, and is made only of
// letters, digits, "_" and well-formed references ("$1", "${1}", "$name", "${name}").
// Prometheus checks the same with its relabelTargetLegacy pattern.
bool IsLabelNameTemplate(std::string_view text);

}  // namespace hostwatch::remote_write
