#include "collectors/host/textfile.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

const MetricDesc kScrapeError{"node_textfile_scrape_error",
                              "1 if there was an error opening or reading a file, 0 otherwise",
                              MetricType::Gauge,
                              {}};
const MetricDesc kMtime{
    "node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.", MetricType::Gauge, {"file"}};

using Labels = std::vector<std::pair<std::string, std::string>>;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsMetricNameChar(char c, bool first) { return IsAsciiLetter(c) || c == '_' || c == ':' || (!first && IsDigit(c)); }
bool IsLabelNameChar(char c, bool first) { return IsAsciiLetter(c) || c == '_' || (!first && IsDigit(c)); }

// Go's strconv.ParseFloat, as the text format uses it: also "+1", NaN and
// (+|-)Inf in any case.
std::optional<double> ParseSampleValue(std::string_view s) {
  std::string lower;
  for (char c : s) {
    lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
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

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
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
      if (it == labels.end() || !(extra = ParseSampleValue(it->second))) {
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

  std::vector<TextfileFamily> Take() {
    std::vector<TextfileFamily> out;
    for (TextfileFamily& f : families_) {
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
    TextfileFamily& f = families_.emplace_back();
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
      if (!EndsWith(name, suffix)) {
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

  std::vector<TextfileFamily> families_;
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
  std::optional<double> value = ParseSampleValue(value_text);
  if (!value) {
    return "invalid value \"" + std::string(value_text) + "\" for " + name;
  }
  c.SkipBlanks();
  if (!c.AtEnd()) {
    if (ParseInt(c.ReadToken()) && (c.SkipBlanks(), c.AtEnd())) {
      return "textfile contains unsupported client-side timestamps (" + name + ")";
    }
    return "unexpected text after the value of " + name;
  }
  return b.Sample(name, std::move(labels), *value);
}

// Gives every series of the family the union of the family's label names,
// missing ones as "" (node_exporter does this so that the family stays consistent).
void FillMissingLabels(MetricFamily& f) {
  std::set<std::string> names;
  for (const ClientMetric& m : f.metric) {
    for (const auto& l : m.label) {
      names.insert(l.name);
    }
  }
  for (ClientMetric& m : f.metric) {
    if (m.label.size() == names.size()) {
      continue;
    }
    for (const std::string& n : names) {
      bool present = std::any_of(m.label.begin(), m.label.end(), [&](const auto& l) { return l.name == n; });
      if (!present) {
        m.label.push_back({n, ""});
      }
    }
  }
}

// Whole-second mtime, as node_exporter exports it. stat(2) does not open the
// file, so it lives here rather than in ProcFs.
std::optional<double> FileMtimeSeconds(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  return static_cast<double>(st.st_mtim.tv_sec);
}

// A family merged over all files, with the files it came from.
struct MergedFamily {
  TextfileFamily tf;
  std::vector<std::string> files;
  bool conflicted = false;
};

class TextfileCollector : public Collector {
 public:
  TextfileCollector(const ProcFs& fs, std::string directory) : fs_(fs), directory_(std::move(directory)) {}

  Status Collect(MetricSink& sink) override {
    std::vector<std::string> problems;
    if (!directory_.empty()) {
      ReadDirectory(sink, &problems);
    }
    // Like node_exporter: a bad file is logged and flagged by node_textfile_scrape_error,
    // while the collector itself still succeeds with the files that parsed.
    sink.Add(kScrapeError, problems.empty() ? 0 : 1);
    for (std::string& p : problems) {
      sink.Warn(std::move(p));
    }
    return Status::OK();
  }

 private:
  void ReadDirectory(MetricSink& sink, std::vector<std::string>* problems) {
    Result<std::vector<std::string>> names = fs_.ListDir(directory_);
    if (!names.ok()) {
      problems->push_back("failed to read textfile collector directory " + directory_ + ": " +
                          names.status().message());
      return;
    }
    std::vector<MergedFamily> merged;
    std::map<std::string, std::size_t> by_name;
    for (const std::string& name : names.value()) {
      if (!EndsWith(name, ".prom")) {
        continue;
      }
      std::string path = ProcFs::Join(directory_, name);
      Result<std::string> text = fs_.ReadFile(path);
      std::optional<double> mtime = FileMtimeSeconds(path);
      if (!text.ok() || !mtime) {
        problems->push_back("failed to read " + path + (text.ok() ? "" : ": " + text.status().message()));
        continue;
      }
      if (text.value().size() >= ProcFs::kMaxFileBytes) {
        // ProcFs truncates at the cap; a cut file could parse "successfully" with series missing.
        problems->push_back("file " + path + " is larger than " + std::to_string(ProcFs::kMaxFileBytes) +
                            " bytes; skipped");
        continue;
      }
      Result<std::vector<TextfileFamily>> parsed = ParseTextExposition(text.value());
      if (!parsed.ok()) {
        sink.CountParseError();
        problems->push_back("failed to parse " + path + ": " + parsed.status().message());
        continue;
      }
      for (TextfileFamily& tf : parsed.value()) {
        Merge(std::move(tf), path, &merged, &by_name, problems);
      }
      sink.Add(kMtime, *mtime, {path});
    }
    for (MergedFamily& m : merged) {
      if (!m.tf.has_help) {
        m.tf.family.help = "Metric read from ";
        for (std::size_t i = 0; i < m.files.size(); ++i) {
          m.tf.family.help += (i == 0 ? "" : ", ") + m.files[i];
        }
      }
      FillMissingLabels(m.tf.family);
      sink.AddFamily(std::move(m.tf.family));
    }
  }

  // Adds a file's family to the merged set; a HELP or TYPE that disagrees with
  // an earlier file drops it (node_exporter keeps the first occurrence).
  static void Merge(TextfileFamily tf, const std::string& path, std::vector<MergedFamily>* merged,
                    std::map<std::string, std::size_t>* by_name, std::vector<std::string>* problems) {
    auto it = by_name->find(tf.family.name);
    if (it == by_name->end()) {
      by_name->emplace(tf.family.name, merged->size());
      merged->push_back({std::move(tf), {path}, false});
      return;
    }
    MergedFamily& m = (*merged)[it->second];
    bool help_conflict = tf.has_help && m.tf.has_help && tf.family.help != m.tf.family.help;
    if (m.conflicted || help_conflict || tf.family.type != m.tf.family.type) {
      m.conflicted = true;
      problems->push_back("inconsistent HELP or TYPE for metric " + tf.family.name + " in " + path);
      return;
    }
    if (tf.has_help && !m.tf.has_help) {
      m.tf.family.help = tf.family.help;
      m.tf.has_help = true;
    }
    for (ClientMetric& metric : tf.family.metric) {
      m.tf.family.metric.push_back(std::move(metric));
    }
    m.files.push_back(path);
  }

  const ProcFs& fs_;
  const std::string directory_;
};

}  // namespace

Result<std::vector<TextfileFamily>> ParseTextExposition(std::string_view text) {
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

constexpr StringOption kDirectory{"textfile", "directory", "", "Directory to read text files with metrics from."};

CollectorSpec TextfileCollectorSpec() {
  return {"textfile",
          true,
          "Exposes the metrics of every *.prom file in a directory, plus node_textfile_mtime_seconds{file} and "
          "node_textfile_scrape_error.",
          {kDirectory.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<TextfileCollector>(ctx.fs, ctx.options.Get(kDirectory)));
          }};
}

}  // namespace hostwatch
