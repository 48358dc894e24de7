#include "collectors/checks/tcp/query_response.h"

#include "collectors/core/regex_template.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

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

std::string ExpectLabelValue(const re2::RE2& re, std::string_view templ, const std::vector<std::string_view>& groups) {
  const std::string value = RegexTemplate::Compile(templ, re).Expand(groups);
  return ToValidUtf8(std::string_view(value).substr(0, kMaxExpectLabelValue));
}

}  // namespace hostwatch
