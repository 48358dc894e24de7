#include "collectors/checks/tcp/query_response.h"

#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Reads the reference after a "$" at the front of rest ("{name}" or a bare
// name); false when it is malformed. *consumed counts the bytes after "$".
bool ExtractName(std::string_view rest, std::string_view* name, std::size_t* consumed) {
  const bool brace = !rest.empty() && rest.front() == '{';
  std::size_t i = brace ? 1 : 0;
  const std::size_t start = i;
  while (i < rest.size() && IsNameChar(rest[i])) {
    ++i;
  }
  if (i == start) {
    return false;
  }
  *name = rest.substr(start, i - start);
  if (brace) {
    if (i >= rest.size() || rest[i] != '}') {
      return false;
    }
    ++i;
  }
  *consumed = i;
  return true;
}

// The group a reference names: a number (all digits) or a group name; -1 for none.
int GroupIndex(const re2::RE2& re, std::string_view name) {
  bool digits = true;
  long long n = 0;
  for (char c : name) {
    digits = digits && c >= '0' && c <= '9';
    if (digits) {
      n = n * 10 + (c - '0');
      if (n > 1'000'000) {
        return -1;  // Go's extract gives up on huge numbers too
      }
    }
  }
  if (digits) {
    return static_cast<int>(n);
  }
  const auto& names = re.NamedCapturingGroups();
  auto it = names.find(std::string(name));
  return it == names.end() ? -1 : it->second;
}

}  // namespace

std::optional<std::string> LineBuffer::NextLine(bool eof) {
  std::size_t nl = data_.find('\n');
  std::string line;
  if (nl != std::string::npos) {
    line = data_.substr(0, nl);
    data_.erase(0, nl + 1);
  } else if (eof && !data_.empty()) {
    line = std::move(data_);
    data_.clear();
  } else {
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

bool LineBuffer::Overflowed() const { return data_.size() > kMaxLine && data_.find('\n') == std::string::npos; }

bool MatchLine(const re2::RE2& re, std::string_view line, std::vector<std::string_view>* groups) {
  // This RE2 speaks re2::StringPiece, which carries a null data() for a group that did not take part.
  std::vector<re2::StringPiece> pieces(static_cast<std::size_t>(re.NumberOfCapturingGroups()) + 1);
  if (!re.Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED, pieces.data(),
                static_cast<int>(pieces.size()))) {
    return false;
  }
  groups->clear();
  for (const re2::StringPiece& p : pieces) {
    groups->emplace_back(p.data(), p.size());
  }
  return true;
}

std::string ExpandSubmatches(const re2::RE2& re, std::string_view templ, const std::vector<std::string_view>& groups) {
  std::string out;
  while (!templ.empty()) {
    const std::size_t dollar = templ.find('$');
    if (dollar == std::string_view::npos) {
      out.append(templ);
      break;
    }
    out.append(templ.substr(0, dollar));
    std::string_view rest = templ.substr(dollar + 1);
    if (!rest.empty() && rest.front() == '$') {
      out += '$';
      templ = rest.substr(1);
      continue;
    }
    std::string_view name;
    std::size_t consumed = 0;
    if (!ExtractName(rest, &name, &consumed)) {
      out += '$';  // malformed: the "$" is plain text
      templ = rest;
      continue;
    }
    const int index = GroupIndex(re, name);
    if (index >= 0 && static_cast<std::size_t>(index) < groups.size() && groups[index].data() != nullptr) {
      out.append(groups[index]);
    }
    templ = rest.substr(consumed);
  }
  return out;
}

std::string ExpectLabelValue(const re2::RE2& re, std::string_view templ, const std::vector<std::string_view>& groups) {
  const std::string value = ExpandSubmatches(re, templ, groups);
  return ToValidUtf8(std::string_view(value).substr(0, kMaxExpectLabelValue));
}

}  // namespace hostwatch
