#include "collectors/host/textfile.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
  ParsedFamily tf;
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
      if (!name.ends_with(".prom")) {
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
      Result<std::vector<ParsedFamily>> parsed = ParseTextExposition(text.value());
      if (!parsed.ok()) {
        sink.CountParseError();
        problems->push_back("failed to parse " + path + ": " + parsed.status().message());
        continue;
      }
      for (ParsedFamily& tf : parsed.value()) {
        Merge(std::move(tf), path, &merged, &by_name, problems);
      }
      sink.Add(kMtime, *mtime, {path});
    }
    for (MergedFamily& m : merged) {
      if (!m.tf.has_help) {
        m.tf.family.help = "Metric read from " + Join(m.files, ", ");
      }
      FillMissingLabels(m.tf.family);
      sink.AddFamily(std::move(m.tf.family));
    }
  }

  // Adds a file's family to the merged set; a HELP or TYPE that disagrees with
  // an earlier file drops it (node_exporter keeps the first occurrence).
  static void Merge(ParsedFamily tf, const std::string& path, std::vector<MergedFamily>* merged,
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
