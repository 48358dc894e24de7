#include "collectors/core/regex_template.h"

#include <algorithm>
#include <map>

#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A name character of Go's Expand: unicode.IsLetter, unicode.IsDigit or '_'. Every byte of a
// non-ASCII rune counts as one: without Unicode tables we take all non-ASCII runes for letters,
// which differs from Go only for a non-letter symbol (say "€") written right after a reference.
bool IsNameByte(char c) { return IsLabelNameChar(c, /*first=*/false) || static_cast<unsigned char>(c) >= 0x80; }

// One reference after a "$" (Go's extract): the name, whether it is a number (num >= 0), and how
// many bytes of s it used. False when s starts no valid reference.
struct Reference {
  std::string_view name;
  long num = -1;
  std::size_t used = 0;
};

bool ReadReference(std::string_view s, Reference* ref) {
  const bool brace = !s.empty() && s[0] == '{';
  std::size_t i = brace ? 1 : 0;
  const std::size_t start = i;
  while (i < s.size() && IsNameByte(s[i])) {
    ++i;
  }
  if (i == start) {
    return false;  // an empty name is not a reference
  }
  ref->name = s.substr(start, i - start);
  if (brace) {
    if (i >= s.size() || s[i] != '}') {
      return false;
    }
    ++i;
  }
  ref->used = i;
  // A number: all digits, no leading zero, below 10^8 (Go's limits; "01" is a name, and no group has it).
  ref->num = 0;
  for (char c : ref->name) {
    if (!IsDigit(c) || ref->num >= 100000000) {
      ref->num = -1;
      break;
    }
    ref->num = ref->num * 10 + (c - '0');
  }
  if (ref->name.size() > 1 && ref->name[0] == '0') {
    ref->num = -1;
  }
  return true;
}

// The group a reference names in re, or -1 when there is none (it then expands to "").
int ResolveGroup(const Reference& ref, const re2::RE2& re) {
  if (ref.num >= 0) {
    return ref.num <= re.NumberOfCapturingGroups() ? static_cast<int>(ref.num) : -1;
  }
  const std::map<std::string, int>& names = re.NamedCapturingGroups();
  auto it = names.find(std::string(ref.name));
  return it == names.end() ? -1 : it->second;
}

}  // namespace

RegexTemplate RegexTemplate::Compile(std::string_view text, const re2::RE2& re) {
  RegexTemplate t;
  t.has_dollar_ = text.find('$') != std::string_view::npos;
  auto literal = [&t](std::string_view s) {
    if (s.empty()) {
      return;
    }
    if (!t.pieces_.empty() && t.pieces_.back().group < 0) {
      t.pieces_.back().size += static_cast<std::uint32_t>(s.size());  // literals are back to back in text_
    } else {
      t.pieces_.push_back({-1, static_cast<std::uint32_t>(t.text_.size()), static_cast<std::uint32_t>(s.size())});
    }
    t.text_.append(s);
  };
  while (!text.empty()) {
    const std::size_t dollar = text.find('$');
    if (dollar == std::string_view::npos) {
      literal(text);
      break;
    }
    literal(text.substr(0, dollar));
    text.remove_prefix(dollar + 1);
    Reference ref;
    if (!text.empty() && text[0] == '$') {
      literal("$");
      text.remove_prefix(1);
    } else if (!ReadReference(text, &ref)) {
      literal("$");  // malformed: the "$" is text, and what follows is read on as usual
    } else {
      text.remove_prefix(ref.used);
      const int group = ResolveGroup(ref, re);
      if (group >= 0) {
        t.pieces_.push_back({group, 0, 0});
        t.groups_needed_ = std::max(t.groups_needed_, group + 1);
      }
    }
  }
  return t;
}

}  // namespace hostwatch
