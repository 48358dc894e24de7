#include "collectors/core/text_parser.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "collectors/core/metric_sink.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

using Labels = std::vector<std::pair<std::string, std::string>>;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsMetricNameChar(char c, bool first) { return IsAsciiLetter(c) || c == '_' || c == ':' || (!first && IsDigit(c)); }

// A cursor over one line with the small lexing steps the format needs.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  void Advance() { ++pos_; }
  // Skips spaces and tabs; returns whether any were skipped.
  bool SkipBlanks() {
    std::size_t start = pos_;
    while (!AtEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t')) {
      ++pos_;
    }
    return pos_ > start;
  }
  std::string_view ReadWhile(bool (*pred)(char, bool)) {
    std::size_t start = pos_;
    while (!AtEnd() && pred(s_[pos_], pos_ == start)) {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }
  std::string_view ReadToken() {
    std::size_t start = pos_;
    while (!AtEnd() && s_[pos_] != ' ' && s_[pos_] != '\t') {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }
  std::string_view Rest() const { return AtEnd() ? std::string_view{} : s_.substr(pos_); }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// Reads a quoted label value after the opening quote; nullopt on a bad escape or missing quote.
std::optional<std::string> ReadLabelValue(Cursor& c) {
  std::string out;
  while (!c.AtEnd()) {
    char ch = c.Peek();
    c.Advance();
    if (ch == '"') {
      return out;
    }
    if (ch == '\\') {
      char e = c.Peek();
      c.Advance();
      if (e == '\\' || e == '"') {
        out.push_back(e);
      } else if (e == 'n') {
        out.push_back('\n');
      } else {
        return std::nullopt;
      }
    } else {
      out.push_back(ch);
    }
  }
  return std::nullopt;
}

// Reads "{name="value",...}" (the cursor is on '{'); error text on failure.
std::optional<std::string> ReadLabels(Cursor& c, Labels* labels) {
  c.Advance();  // '{'
  for (;;) {
    c.SkipBlanks();
    if (c.Peek() == '}') {
      c.Advance();
      return std::nullopt;
    }
    std::string name(c.ReadWhile(IsLabelNameChar));
    if (name.empty()) {
      return "invalid label name";
    }
    c.SkipBlanks();
    if (c.Peek() != '=') {
      return "expected '=' after label name \"" + name + "\"";
    }
    c.Advance();
    c.SkipBlanks();
    if (c.Peek() != '"') {
      return "expected '\"' to start the value of label \"" + name + "\"";
    }
    c.Advance();
    std::optional<std::string> value = ReadLabelValue(c);
    if (!value) {
      return "invalid value of label \"" + name + "\" (bad escape or missing closing quote)";
    }
    for (const auto& [existing, unused] : *labels) {
      if (existing == name) {
        return "duplicate label \"" + name + "\"";
      }
    }
    labels->emplace_back(std::move(name), std::move(*value));
    c.SkipBlanks();
    if (c.Peek() == ',') {
      c.Advance();
    } else if (c.Peek() != '}') {
      return "expected ',' or '}' in label set";
    }
  }
}

// HELP text escapes: only \\ and \n.
std::optional<std::string> UnescapeHelp(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
    } else if (i + 1 < s.size() && (s[i + 1] == '\\' || s[i + 1] == 'n')) {
      out.push_back(s[i + 1] == 'n' ? '\n' : '\\');
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<MetricType> TypeFromName(std::string_view t) {
  if (t == "counter") return MetricType::Counter;
  if (t == "gauge") return MetricType::Gauge;
  if (t == "untyped") return MetricType::Untyped;
  if (t == "summary") return MetricType::Summary;
  if (t == "histogram") return MetricType::Histogram;
  return std::nullopt;
}

// What one sample line contributes to its family.
enum class Role { kValue, kSum, kCount, kBucket };

// Accumulates families while the lines of one file are read.
class ExpositionBuilder {
 public:
  std::optional<std::string> Help(std::string_view name, std::string_view text) {
    std::size_t i = FamilyIndex(name);
    if (help_seen_[i]) {
      return "second HELP line for metric name \"" + std::string(name) + "\"";
    }
    std::optional<std::string> help = UnescapeHelp(text);
    if (!help) {
      return "invalid escape sequence in HELP text";
    }
    help_seen_[i] = true;
    families_[i].family.help = *help;
    families_[i].has_help = !help->empty();
    return std::nullopt;
  }

  std::optional<std::string> Type(std::string_view name, std::string_view type) {
    std::size_t i = FamilyIndex(name);
    std::optional<MetricType> t = TypeFromName(type);
    if (!t) {
      return "unknown metric type \"" + std::string(type) + "\"";
    }
    if (type_seen_[i]) {
      return "second TYPE line for metric name \"" + std::string(name) + "\"";
    }
    if (!families_[i].family.metric.empty()) {
      return "TYPE line for metric name \"" + std::string(name) + "\" must precede its samples";
    }
    type_seen_[i] = true;
    families_[i].family.type = *t;
    return std::nullopt;
  }

  std::optional<std::string> Sample(const std::string& name, Labels labels, double value) {
    auto [index, role] = Resolve(name);
    MetricFamily& f = families_[index].family;
    if (f.type != MetricType::Summary && f.type != MetricType::Histogram) {
      ClientMetric& m = f.metric.emplace_back();
      SetLabels(m, std::move(labels));
      (f.type == MetricType::Counter ? m.counter.value
       : f.type == MetricType::Gauge ? m.gauge.value
                                     : m.untyped.value) = value;
      return std::nullopt;
    }
    // Summary quantiles and histogram buckets carry one extra label that is
    // not part of the series identity.
    std::optional<double> extra;
    const char* extra_name = f.type == MetricType::Summary ? "quantile" : "le";
    if ((f.type == MetricType::Summary && role == Role::kValue) || role == Role::kBucket) {
      auto it = std::find_if(labels.begin(), labels.end(), [&](const auto& l) { return l.first == extra_name; });
      if (it == labels.end() || !(extra = ParseExpositionValue(it->second))) {
        return std::string("missing or invalid \"") + extra_name + "\" label on " + name;
      }
      labels.erase(it);
    } else if (role == Role::kValue) {
      return "histogram \"" + f.name + "\" has a sample without _bucket/_sum/_count suffix";
    }
    if ((role == Role::kCount || role == Role::kBucket) && (!(value >= 0) || value > 1.8e19)) {
      return "invalid count " + std::to_string(value) + " on " + name;
    }
    ClientMetric& m = Series(index, std::move(labels));
    const auto count = static_cast<std::uint64_t>(role == Role::kCount || role == Role::kBucket ? value : 0);
    if (f.type == MetricType::Summary) {
      if (role == Role::kValue) {
        m.summary.quantile.push_back({*extra, value});
      } else if (role == Role::kSum) {
        m.summary.sample_sum = value;
      } else {
        m.summary.sample_count = count;
      }
    } else if (role == Role::kBucket) {
      m.histogram.bucket.push_back({count, *extra});
    } else if (role == Role::kSum) {
      m.histogram.sample_sum = value;
    } else {
      m.histogram.sample_count = count;
    }
    return std::nullopt;
  }

  std::vector<ParsedFamily> Take() {
    std::vector<ParsedFamily> out;
    for (ParsedFamily& f : families_) {
      if (!f.family.metric.empty()) {  // a HELP/TYPE without samples is not a family
        out.push_back(std::move(f));
      }
    }
    return out;
  }

 private:
  std::size_t FamilyIndex(std::string_view name) {
    auto it = by_name_.find(std::string(name));
    if (it != by_name_.end()) {
      return it->second;
    }
    ParsedFamily& f = families_.emplace_back();
    f.family.name = std::string(name);
    f.family.type = MetricType::Untyped;
    help_seen_.push_back(false);
    type_seen_.push_back(false);
    series_.emplace_back();
    by_name_.emplace(std::string(name), families_.size() - 1);
    return families_.size() - 1;
  }

  // Finds the family a sample name belongs to, the way Go's expfmt does: the
  // exact name first, then <summary>_sum/_count, then <histogram>_bucket/_sum/_count.
  std::pair<std::size_t, Role> Resolve(const std::string& name) {
    if (auto it = by_name_.find(name); it != by_name_.end()) {
      return {it->second, Role::kValue};
    }
    constexpr std::pair<std::string_view, Role> kSuffixes[] = {
        {"_sum", Role::kSum}, {"_count", Role::kCount}, {"_bucket", Role::kBucket}};
    for (const auto& [suffix, role] : kSuffixes) {
      if (!name.ends_with(suffix)) {
        continue;
      }
      auto it = by_name_.find(name.substr(0, name.size() - suffix.size()));
      if (it == by_name_.end()) {
        continue;
      }
      MetricType t = families_[it->second].family.type;
      if (t == MetricType::Histogram || (t == MetricType::Summary && role != Role::kBucket)) {
        return {it->second, role};
      }
    }
    return {FamilyIndex(name), Role::kValue};
  }

  static void SetLabels(ClientMetric& m, Labels labels) {
    for (auto& [k, v] : labels) {
      m.label.push_back({std::move(k), std::move(v)});
    }
  }

  // The summary/histogram series with these labels, created on first use.
  ClientMetric& Series(std::size_t family, Labels labels) {
    std::sort(labels.begin(), labels.end());
    std::string key;
    for (const auto& [k, v] : labels) {
      key += k + '\0' + v + '\0';
    }
    auto [it, inserted] = series_[family].emplace(key, families_[family].family.metric.size());
    if (inserted) {
      SetLabels(families_[family].family.metric.emplace_back(), std::move(labels));
    }
    return families_[family].family.metric[it->second];
  }

  std::vector<ParsedFamily> families_;
  std::vector<bool> help_seen_, type_seen_;
  std::vector<std::map<std::string, std::size_t>> series_;
  std::map<std::string, std::size_t> by_name_;
};

// Handles a "# ..." line: HELP and TYPE feed the builder, other comments are ignored.
std::optional<std::string> ParseCommentLine(Cursor& c, ExpositionBuilder& b) {
  c.Advance();  // '#'
  c.SkipBlanks();
  std::string_view keyword = c.ReadToken();
  if (keyword != "HELP" && keyword != "TYPE") {
    return std::nullopt;
  }
  if (!c.SkipBlanks()) {
    return std::nullopt;  // "# HELPER": a plain comment
  }
  std::string_view name = c.ReadWhile(IsMetricNameChar);
  if (name.empty()) {
    return "invalid metric name in " + std::string(keyword) + " line";
  }
  if (!c.AtEnd() && !c.SkipBlanks()) {
    return "invalid metric name in " + std::string(keyword) + " line";
  }
  if (keyword == "HELP") {
    return b.Help(name, c.Rest());
  }
  return b.Type(name, TrimSpace(c.Rest()));
}

std::optional<std::string> ParseSampleLine(Cursor& c, ExpositionBuilder& b) {
  std::string name(c.ReadWhile(IsMetricNameChar));
  if (name.empty()) {
    return "invalid metric name";
  }
  bool blank = c.SkipBlanks();
  Labels labels;
  if (c.Peek() == '{') {
    if (std::optional<std::string> err = ReadLabels(c, &labels)) {
      return err;
    }
    blank = c.SkipBlanks();
  }
  if (!blank) {
    return "expected a blank before the value of " + name;
  }
  std::string_view value_text = c.ReadToken();
  std::optional<double> value = ParseExpositionValue(value_text);
  if (!value) {
    return "invalid value \"" + std::string(value_text) + "\" for " + name;
  }
  c.SkipBlanks();
  if (!c.AtEnd()) {
    if (ParseInt(c.ReadToken()) && (c.SkipBlanks(), c.AtEnd())) {
      return "unsupported client-side timestamp on " + name;
    }
    return "unexpected text after the value of " + name;
  }
  return b.Sample(name, std::move(labels), *value);
}

}  // namespace

Result<std::vector<ParsedFamily>> ParseTextExposition(std::string_view text) {
  ExpositionBuilder builder;
  std::size_t line_number = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_number;
    Cursor c(line);
    c.SkipBlanks();
    if (c.AtEnd()) {
      continue;
    }
    std::optional<std::string> err = c.Peek() == '#' ? ParseCommentLine(c, builder) : ParseSampleLine(c, builder);
    if (err) {
      return Status::Error("line " + std::to_string(line_number) + ": " + *err);
    }
  }
  return builder.Take();
}

std::optional<double> ParseExpositionValue(std::string_view s) {
  const std::string lower = AsciiToLower(s);
  if (lower == "nan") {
    return std::nan("");
  }
  if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity") {
    return INFINITY;
  }
  if (lower == "-inf" || lower == "-infinity") {
    return -INFINITY;
  }
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
  }
  return ParseDouble(s);
}

}  // namespace hostwatch
