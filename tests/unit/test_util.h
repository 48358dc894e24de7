// Helpers shared by the unit tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"
#include "collectors/core/metric_source.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/text_format.h"
#include "collectors/core/text_parser.h"
#include "collectors/registry.h"

namespace hostwatch::testing {

inline std::string FixturePath(const std::string& rel) { return std::string(HOSTWATCH_TEST_FIXTURES) + "/" + rel; }

inline std::string ReadFixture(const std::string& rel) {
  std::ifstream in(FixturePath(rel));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Roots for a ProcFs in tests: each defaults to a directory that does not
// exist, so a collector sees only the fixture trees a test names, never the
// host's /proc or /sys. Designated initializers name the roots set:
//   ProcFs fs = testing::FixtureFs({.procfs = testing::FixturePath("cpu/proc")});
inline constexpr const char* kNoDir = "/nonexistent";
struct FixtureRoots {
  std::string procfs = kNoDir;
  std::string sysfs = kNoDir;
  std::string rootfs = kNoDir;
  std::string udev_data = kNoDir;
};

inline ProcFs FixtureFs(const FixtureRoots& r) { return ProcFs(FsRoots{r.procfs, r.sysfs, r.rootfs, r.udev_data}); }

// Builds the named collector with default options (plus overrides) and runs it once.
struct CollectorRun {
  Status status;
  std::string text;  // exposition of what it added
  std::uint64_t parse_errors = 0;
  std::string warnings;  // MetricSink::Warn messages, joined with "; "
};

inline CollectorRun RunCollectorOnce(const std::string& name, const ProcFs& fs,
                                     const CollectorOptions& options = DefaultCollectorOptions()) {
  const CollectorSpec* spec = FindCollector(name);
  Result<CollectorPtr> c = spec->make(CollectorContext{fs, options});
  if (!c.ok()) {
    return {c.status(), "", 0, ""};
  }
  MetricSink sink;
  Status s = c.value()->Collect(sink);
  CollectorRun run{s, "", sink.parse_errors(), ""};
  for (const std::string& w : sink.warnings()) {
    run.warnings += (run.warnings.empty() ? "" : "; ") + w;
  }
  std::vector<prometheus::MetricFamily> families = sink.TakeFamilies();
  for (ForeignFamily& f : sink.TakeForeignFamilies()) {  // textfile input, unfiltered here
    families.push_back(std::move(f.family));
  }
  run.text = SerializeText(std::move(families));
  return run;
}

// The exposition of what one MetricSource adds to a scrape.
inline std::string CollectText(const MetricSource& source) {
  MetricSink sink;
  source.Collect(sink);
  return SerializeText(sink.TakeFamilies());
}

// The value of one series in an exposition text, the series written the way
// the text writes it: "name" or "name{a=\"x\",b=\"y\"}" (labels sorted by
// name). nullopt when no line holds that series (or its value does not
// parse). Unlike text.find("name 1"), this neither matches "name 12" nor
// passes when the series is there with another value:
//   EXPECT_EQ(testing::Sample(run.text, "node_load1"), 0.21);
inline std::optional<double> Sample(std::string_view text, std::string_view series) {
  for (std::string_view line : SplitLines(text)) {
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
      return ParseExpositionValue(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

// A directory under $TMPDIR (or /tmp) for one test, removed with everything
// in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hostwatch-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;

  const std::string& path() const { return path_; }

  // Writes (replacing in place) path()/rel, creating its directories.
  void Write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << content;
  }

 private:
  std::string path_;
};

}  // namespace hostwatch::testing
