#include "collectors/host/textfile.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "collectors/core/path_glob.h"
#include "collectors/core/strings.h"
#include "collectors/core/text_parser.h"

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
const MetricDesc kSkippedFiles{"hostwatch_textfile_skipped_files",
                               "*.prom files this scrape did not serve because of a limit: not a regular file, "
                               "larger than --collector.textfile.max-file-bytes, or past "
                               "--collector.textfile.max-series.",
                               MetricType::Gauge,
                               {"reason"}};

// Why a file is skipped whole before it is parsed; the order of kSkipReasons.
enum SkipReason { kNotRegularFile, kTooLarge, kSeriesLimit, kSkipReasonCount };
constexpr std::array<std::string_view, kSkipReasonCount> kSkipReasons = {"not_regular_file", "too_large",
                                                                         "series_limit"};

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

// The series a text would add: its sample lines (not blank, not a comment).
// Counted before parsing, so that a file past the series limit never costs
// the memory of its parsed samples; each histogram bucket is a series, as in
// Prometheus.
std::uint64_t CountSampleLines(std::string_view text) {
  std::uint64_t n = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') {
      ++n;
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return n;
}

// Whole-second mtime, as node_exporter exports it (floor, also before 1970).
double MtimeSeconds(const FileIdentity& id) {
  std::int64_t s = id.mtime_ns / 1000000000;
  if (id.mtime_ns % 1000000000 < 0) {
    --s;
  }
  return static_cast<double>(s);
}

// A family merged over all files, with the files it came from.
struct MergedFamily {
  ParsedFamily tf;
  std::vector<std::string> files;
  bool conflicted = false;
};

// What one scrape gathered from the directories.
struct DirectoryRead {
  std::vector<MergedFamily> merged;
  std::map<std::string, std::size_t> by_name;
  std::vector<std::string> problems;
  std::array<int, kSkipReasonCount> skipped{};
  std::uint64_t series = 0;  // sample lines of the files served so far
};

struct Limits {
  std::size_t max_file_bytes = 0;  // 0: no limit
  std::uint64_t max_series = 0;    // 0: no limit
};

class TextfileCollector : public Collector {
 public:
  TextfileCollector(const ProcFs& fs, std::vector<std::string> patterns, Limits limits)
      : fs_(fs), patterns_(std::move(patterns)), limits_(limits) {}

  Status Collect(MetricSink& sink) override {
    DirectoryRead read;
    if (!patterns_.empty()) {
      for (const std::string& directory : Directories()) {
        ReadDirectory(sink, directory, read);
      }
      AddMergedFamilies(sink, read);
      for (int r = 0; r < kSkipReasonCount; ++r) {
        sink.Add(kSkippedFiles, read.skipped[r], {kSkipReasons[r]});
      }
    }
    // Like node_exporter: a bad file is logged and flagged by node_textfile_scrape_error,
    // while the collector itself still succeeds with the files that parsed.
    sink.Add(kScrapeError, read.problems.empty() ? 0 : 1);
    ReportNewProblems(sink, read.problems);
    return Status::OK();
  }

 private:
  // The directories the patterns name now, each once, in the patterns' order. As upstream, a
  // pattern that matches nothing is taken as a directory (whose read then fails and is reported).
  std::vector<std::string> Directories() const {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const std::string& pattern : patterns_) {
      std::vector<std::string> matches = GlobMatches(pattern);
      if (matches.empty()) {
        matches.push_back(pattern);
      }
      for (std::string& m : matches) {
        if (seen.insert(m).second) {
          out.push_back(std::move(m));
        }
      }
    }
    return out;
  }

  void ReadDirectory(MetricSink& sink, const std::string& directory, DirectoryRead& read) {
    Result<std::vector<std::string>> names = fs_.ListDir(directory);
    if (!names.ok()) {
      read.problems.push_back("failed to read textfile collector directory " + directory + ": " +
                              names.status().message());
      return;
    }
    for (const std::string& name : names.value()) {
      if (name.ends_with(".prom")) {
        ReadFile(sink, ProcFs::Join(directory, name), read);
      }
    }
  }

  // The families of every file of every directory, merged by name (node_exporter's order: the
  // first file's HELP, or "Metric read from <files>").
  static void AddMergedFamilies(MetricSink& sink, DirectoryRead& read) {
    for (MergedFamily& m : read.merged) {
      if (!m.tf.has_help) {
        m.tf.family.help = "Metric read from " + Join(m.files, ", ");
      }
      FillMissingLabels(m.tf.family);
      sink.AddForeignFamily(std::move(m.tf.family), Join(m.files, ", "));
    }
  }

  // Reads, checks and parses one file into read. A file is all or nothing: a
  // file skipped by a limit or rejected by the parser adds no series and no mtime.
  void ReadFile(MetricSink& sink, const std::string& path, DirectoryRead& read) const {
    Result<RegularFile> file = fs_.ReadRegularFile(path, limits_.max_file_bytes);
    if (!file.ok()) {
      const Status& s = file.status();
      if (s.sys_errno() == EINVAL || s.sys_errno() == EFBIG) {
        ++read.skipped[s.sys_errno() == EINVAL ? kNotRegularFile : kTooLarge];
        read.problems.push_back("skipped " + s.message());
      } else {
        read.problems.push_back("failed to read " + path + ": " + s.message());
      }
      return;
    }
    const std::string& text = file.value().data;
    std::uint64_t series = CountSampleLines(text);
    if (limits_.max_series != 0 && read.series + series > limits_.max_series) {
      ++read.skipped[kSeriesLimit];
      read.problems.push_back("skipped " + path + ": its " + std::to_string(series) +
                              " series would take the textfiles past --collector.textfile.max-series=" +
                              std::to_string(limits_.max_series));
      return;
    }
    Result<std::vector<ParsedFamily>> parsed = ParseTextExposition(text);
    if (!parsed.ok()) {
      sink.CountParseError();
      read.problems.push_back("failed to parse " + path + ": " + parsed.status().message());
      return;
    }
    read.series += series;
    for (ParsedFamily& tf : parsed.value()) {
      Merge(std::move(tf), path, read);
    }
    sink.Add(kMtime, MtimeSeconds(file.value().identity), {path});
  }

  // Adds a file's family to the merged set; a HELP or TYPE that disagrees with
  // an earlier file drops it (node_exporter keeps the first occurrence).
  static void Merge(ParsedFamily tf, const std::string& path, DirectoryRead& read) {
    auto it = read.by_name.find(tf.family.name);
    if (it == read.by_name.end()) {
      read.by_name.emplace(tf.family.name, read.merged.size());
      read.merged.push_back({std::move(tf), {path}, false});
      return;
    }
    MergedFamily& m = read.merged[it->second];
    bool help_conflict = tf.has_help && m.tf.has_help && tf.family.help != m.tf.family.help;
    if (m.conflicted || help_conflict || tf.family.type != m.tf.family.type) {
      m.conflicted = true;
      read.problems.push_back("inconsistent HELP or TYPE for metric " + tf.family.name + " in " + path);
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

  // Warns (the scraper logs it) about each problem once while it lasts:
  // node_textfile_scrape_error and hostwatch_textfile_skipped_files show it on
  // every scrape, and a FIFO left in the directory would otherwise log a line
  // per scrape until someone removes it.
  void ReportNewProblems(MetricSink& sink, const std::vector<std::string>& problems) {
    std::set<std::string> now(problems.begin(), problems.end());
    for (const std::string& p : now) {
      if (!reported_.contains(p)) {
        sink.Warn(p);
      }
    }
    reported_ = std::move(now);
  }

  const ProcFs& fs_;
  const std::vector<std::string> patterns_;  // directories or glob patterns of directories
  const Limits limits_;
  std::set<std::string> reported_;  // the problems of the previous scrape, already logged
};

}  // namespace

constexpr PathListOption kDirectory{"textfile", "directory", "",
                                   "Directory to read text files with metrics from, supports glob matching. "
                                   "(repeatable)"};
constexpr IntOption kMaxFileBytes{"textfile", "max-file-bytes", 4 << 20,
                                  "Skip a *.prom file larger than this many bytes, unread (0: no limit)."};
constexpr IntOption kMaxSeries{"textfile", "max-series", 100000,
                               "Skip a *.prom file whose series would take those of all files past this many "
                               "(0: no limit)."};

CollectorSpec TextfileCollectorSpec() {
  return {"textfile",
          true,
          "Exposes the metrics of every *.prom file in the directories, plus node_textfile_mtime_seconds{file} and "
          "node_textfile_scrape_error.",
          {kDirectory.Spec(), kMaxFileBytes.Spec(), kMaxSeries.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Limits limits{static_cast<std::size_t>(ctx.options.Get(kMaxFileBytes)),
                          static_cast<std::uint64_t>(ctx.options.Get(kMaxSeries))};
            return CollectorPtr(std::make_unique<TextfileCollector>(ctx.fs, ctx.options.Get(kDirectory), limits));
          }};
}

}  // namespace hostwatch
