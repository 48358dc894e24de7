// A replacement template of Go's Regexp.Expand, as Prometheus' relabelling (target_label,
// replacement) and blackbox's query_response (send, labels) expand them.
//
// "$1" and "${1}" are capturing group 1,
// "$name" / "${name}" the group named name, "$$" a literal "$". "$name" takes the longest run of
// letters, digits and "_" ("$1x" is the group named "1x", which does not exist: use "${1}x"). A
// group that does not exist, or did not take part in the match, expands to "". A "$" that starts
// no valid reference ("${", "$-") stays a literal "$". Group names are resolved once, when the
// template is compiled against its regex, so expanding does no lookups.
//
// Immutable once compiled; any thread may expand the same template concurrently.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

class RegexTemplate {
 public:
  RegexTemplate() = default;

  // text read against re's capturing groups (numbers beyond re's groups and unknown names expand to "").
  static RegexTemplate Compile(std::string_view text, const re2::RE2& re);

  // Appends the expansion to *out; groups[i] is the text of group i (0 = the whole match), as a
  // match fills them: a vector or span of re2::StringPiece or std::string_view (a group that did
  // not take part is empty). Groups past its end are "".
  template <typename Groups>
  void AppendTo(const Groups& groups, std::string* out) const {
    for (const Piece& p : pieces_) {
      if (p.group < 0) {
        out->append(text_, p.begin, p.size);
      } else if (static_cast<std::size_t>(p.group) < groups.size()) {
        out->append(groups[p.group].data(), groups[p.group].size());
      }
    }
  }

  template <typename Groups>
  std::string Expand(const Groups& groups) const {
    std::string out;
    AppendTo(groups, &out);
    return out;
  }

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

}  // namespace hostwatch
