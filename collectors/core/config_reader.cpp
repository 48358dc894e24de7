#include "collectors/core/config_reader.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "collectors/core/collector_options.h"
#include "collectors/core/strings.h"

namespace hostwatch {
std::optional<bool> ParseBool(std::string_view text) {
  // yaml.v2 resolve.go's bool table; yaml.v3 accepts the same words into a bool field.
  static constexpr std::string_view kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
  static constexpr std::string_view kFalse[] = {"false", "False", "FALSE", "no", "No", "NO",
                                                "off",   "Off",   "OFF",   "n",  "N"};
  if (std::find(std::begin(kTrue), std::end(kTrue), text) != std::end(kTrue)) {
    return true;
  }
  if (std::find(std::begin(kFalse), std::end(kFalse), text) != std::end(kFalse)) {
    return false;
  }
  return std::nullopt;
}

std::string DescribeNode(const YAML::Node& node) {
  if (!node.IsDefined()) {
    return "nothing";
  }
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "nothing";
  }
}

std::string ConfigReader::Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string RegexErrorReason(const re2::RE2& re) {
  switch (re.error_code()) {
    case re2::RE2::ErrorBadEscape:
      return "bad escape sequence";
    case re2::RE2::ErrorBadCharClass:
      return "bad character class";
    case re2::RE2::ErrorBadCharRange:
      return "bad character class range";
    case re2::RE2::ErrorMissingBracket:
      return "missing closing ]";
    case re2::RE2::ErrorMissingParen:
      return "missing closing )";
    case re2::RE2::ErrorUnexpectedParen:
      return "unexpected closing )";
    case re2::RE2::ErrorTrailingBackslash:
      return "trailing \\ at the end";
    case re2::RE2::ErrorRepeatArgument:
      return "repetition operator without an argument, e.g. *";
    case re2::RE2::ErrorRepeatSize:
      return "bad repetition count";
    case re2::RE2::ErrorRepeatOp:
      return "bad repetition operator";
    case re2::RE2::ErrorBadPerlOp:
      return "bad Perl operator";
    case re2::RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case re2::RE2::ErrorBadNamedCapture:
      return "bad named capture group";
    case re2::RE2::ErrorPatternTooLarge:
      return "pattern too large";
    default:
      return "RE2 cannot compile it";
  }
}

void ConfigReader::WrongType(const YAML::Node& n, const std::string& path, const std::string& what) {
  const std::string got = DescribeNode(n);
  Error(n, path, got.empty() ? "must be " + what : "must be " + what + ", got " + got);
}

void ConfigReader::Unknown(const YAML::Node& key_node, const std::string& path,
                           const std::vector<std::string_view>& known) {
  const std::string key = key_node.IsScalar() ? key_node.Scalar() : "";
  const std::string_view guess = ClosestSpelling(key, known);
  const std::string hint = guess.empty() ? "" : "; did you mean " + std::string(guess) + "?";
  Error(key_node, path, "unknown key (known: " + hostwatch::Join(known, ", ") + hint + ")");
}

bool ConfigReader::DuplicateKeys(const YAML::Node& node, const std::string& path, int depth) {
  walked_ = depth == 0 ? 1 : walked_ + 1;
  if (depth > kMaxDepth && (node.IsMap() || node.IsSequence())) {
    Error(node, path, "nested more than " + std::to_string(kMaxDepth) +
                          " levels deep (an alias that refers to its own anchor?)");
    return false;
  }
  if (walked_ > kMaxNodes) {
    Error(node, path, "more than " + std::to_string(kMaxNodes) + " values (aliases that repeat each other?)");
    return false;
  }
  // Stop at the first too-deep branch: `&x [*x, *x]` has 2^depth of them.
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      std::string child = Join(path, key);
      if (!seen.insert(key).second) {
        Error(kv.first, child, "duplicate key");
      }
      if (!DuplicateKeys(kv.second, child, depth + 1)) {
        return false;
      }
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (!DuplicateKeys(node[i], path + "[" + std::to_string(i) + "]", depth + 1)) {
        return false;
      }
    }
  }
  return true;
}

bool ConfigReader::Entries(const YAML::Node& node, const std::string& path, const EntryFn& fn) {
  if (node.IsNull()) {
    return true;
  }
  if (!node.IsMap()) {
    WrongType(node, path, "a mapping");
    return false;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    fn(key, it->first, it->second, Join(path, key));
  }
  return true;
}

bool ConfigReader::Fields(const YAML::Node& node, const std::string& path, const std::vector<std::string_view>& known,
                          const FieldFn& fn) {
  return Entries(
      node, path,
      [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value, const std::string& key_path) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
          Unknown(key_node, key_path, known);
          return;
        }
        fn(key, value, key_path);
      });
}

bool ConfigReader::Items(const YAML::Node& node, const std::string& path, const ItemFn& fn) {
  if (!node.IsSequence()) {
    WrongType(node, path, "a list");
    return false;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    fn(node[i], path + "[" + std::to_string(i) + "]");
  }
  return true;
}

bool ConfigReader::String(const YAML::Node& n, const std::string& path, std::string* out) {
  if (!n.IsScalar()) {
    WrongType(n, path, "a string");
    return false;
  }
  *out = n.Scalar();
  return true;
}

bool ConfigReader::Bool(const YAML::Node& n, const std::string& path, bool* out) {
  std::optional<bool> b = n.IsScalar() ? ParseBool(n.Scalar()) : std::nullopt;
  if (!b) {
    WrongType(n, path, "true or false");
    return false;
  }
  *out = *b;
  return true;
}

bool ConfigReader::Int(const YAML::Node& n, const std::string& path, long long min, long long max, long long* out) {
  long long v = 0;
  if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
    WrongType(n, path, "an integer");
    return false;
  }
  if (v < min || v > max) {
    Error(n, path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return false;
  }
  *out = v;
  return true;
}

bool ConfigReader::Int(const YAML::Node& n, const std::string& path, int min, int max, int* out) {
  long long v = 0;
  if (!Int(n, path, static_cast<long long>(min), static_cast<long long>(max), &v)) {
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool ConfigReader::Duration(const YAML::Node& n, const std::string& path, std::chrono::milliseconds* out) {
  if (!n.IsScalar()) {
    WrongType(n, path, "a duration such as 30s");
    return false;
  }
  Result<std::chrono::milliseconds> d = ParseDuration(n.Scalar());
  if (!d.ok()) {
    Error(n, path, d.status().message());
    return false;
  }
  *out = d.value();
  return true;
}

bool ConfigReader::Regex(const YAML::Node& n, const std::string& path, std::string* pattern,
                         std::shared_ptr<const re2::RE2>* compiled) {
  std::string text;
  if (!String(n, path, &text)) {
    return false;
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(text, opts);
  if (!re->ok()) {
    Error(n, path, "invalid regular expression: " + RegexErrorReason(*re));
    return false;
  }
  *pattern = std::move(text);
  *compiled = std::move(re);
  return true;
}

bool ConfigReader::OneOf(const YAML::Node& n, const std::string& path, const std::vector<std::string_view>& allowed,
                         std::string* out) {
  if (!n.IsScalar() || std::find(allowed.begin(), allowed.end(), n.Scalar()) == allowed.end()) {
    WrongType(n, path, "one of " + hostwatch::Join(allowed, ", "));
    return false;
  }
  *out = n.Scalar();
  return true;
}

bool ConfigReader::StringList(const YAML::Node& n, const std::string& path, std::vector<std::string>* out) {
  if (n.IsNull()) {
    out->clear();
    return true;
  }
  std::vector<std::string> items;
  bool items_ok = true;
  bool is_list = Items(n, path, [&](const YAML::Node& item, const std::string& item_path) {
    std::string s;
    if (String(item, item_path, &s)) {
      items.push_back(std::move(s));
    } else {
      items_ok = false;
    }
  });
  if (!is_list || !items_ok) {
    return false;
  }
  *out = std::move(items);
  return true;
}

bool ConfigReader::StringMap(const YAML::Node& n, const std::string& path,
                             std::vector<std::pair<std::string, std::string>>* out) {
  std::vector<std::pair<std::string, std::string>> entries;
  bool values_ok = true;
  bool is_map = Entries(
      n, path, [&](const std::string& key, const YAML::Node&, const YAML::Node& value, const std::string& key_path) {
        std::string s;
        if (String(value, key_path, &s)) {
          entries.emplace_back(key, std::move(s));
        } else {
          values_ok = false;
        }
      });
  if (!is_map || !values_ok) {
    return false;
  }
  out->insert(out->end(), entries.begin(), entries.end());
  return true;
}

}  // namespace hostwatch
