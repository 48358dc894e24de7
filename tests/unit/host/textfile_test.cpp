#include "collectors/host/textfile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

testing::CollectorRun RunOnDirectory(const std::string& dir) {
  CollectorOptions options = DefaultCollectorOptions();
  EXPECT_TRUE(options.Set("textfile", "directory", dir).ok());
  return testing::RunCollectorOnce("textfile", ProcFs(), options);
}

TEST(TextfileCollectorTest, EmptyDirectoryOptionOnlyReportsNoError) {
  testing::CollectorRun run = testing::RunCollectorOnce("textfile", ProcFs());
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.text,
            "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
            "# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 0\n");
}

TEST(TextfileCollectorTest, MergesFilesAndFillsDefaults) {
  std::string dir = testing::FixturePath("textfile/good");
  testing::CollectorRun run = RunOnDirectory(dir);
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  // Same family across files is merged under the first file's HELP/TYPE.
  EXPECT_NE(run.text.find("# HELP app_events_total Events seen, with \"quotes\" and a \\\\ backslash.\n"
                          "# TYPE app_events_total counter\n"
                          "app_events_total{kind=\"a\\\"b\",path=\"C:\\\\tmp\"} 3\n"
                          "app_events_total{kind=\"c\",path=\"\"} 5\n"
                          "app_events_total{kind=\"line\\nbreak\",path=\"\"} 4\n"),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("# TYPE app_latency_seconds histogram\n"
                          "app_latency_seconds_bucket{le=\"0.1\"} 1\n"
                          "app_latency_seconds_bucket{le=\"1\"} 3\n"
                          "app_latency_seconds_bucket{le=\"+Inf\"} 4\n"
                          "app_latency_seconds_sum 2.5\napp_latency_seconds_count 4\n"),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("# HELP temperature Metric read from " + dir +
                          "/b.prom\n# TYPE temperature untyped\n"
                          "temperature{room=\"kitchen\"} -15\n"),
            std::string::npos)
      << run.text;
  EXPECT_NE(run.text.find("plain_value NaN\n"), std::string::npos);
  EXPECT_NE(run.text.find("node_textfile_mtime_seconds{file=\"" + dir + "/a.prom\"} "), std::string::npos);
  EXPECT_EQ(run.text.find("notes.txt"), std::string::npos);  // only *.prom files are read
  EXPECT_EQ(testing::Sample(run.text, "node_textfile_scrape_error"), 0);
}

TEST(TextfileCollectorTest, MalformedFileIsReportedAndNotServed) {
  std::string dir = testing::FixturePath("textfile/bad_syntax");
  testing::CollectorRun run = RunOnDirectory(dir);
  EXPECT_TRUE(run.status.ok());  // node_exporter keeps the collector successful
  EXPECT_NE(run.warnings.find(dir + "/broken.prom: line 2"), std::string::npos) << run.warnings;
  EXPECT_EQ(run.parse_errors, 1u);
  EXPECT_EQ(run.text.find("good_before_error"), std::string::npos);  // all or nothing per file
  EXPECT_EQ(run.text.find("broken.prom"), std::string::npos);        // no mtime for a rejected file
  EXPECT_EQ(testing::Sample(run.text, "ok_metric"), 1);              // other files still served
  EXPECT_EQ(testing::Sample(run.text, "node_textfile_scrape_error"), 1);
}

TEST(TextfileCollectorTest, ConflictingHelpKeepsFirstFile) {
  std::string dir = testing::FixturePath("textfile/conflict");
  testing::CollectorRun run = RunOnDirectory(dir);
  EXPECT_TRUE(run.status.ok());
  EXPECT_FALSE(run.warnings.empty());
  // The family from b.prom is dropped as a whole; the first file's family is served unchanged.
  EXPECT_NE(run.text.find("# HELP shared First help.\n# TYPE shared gauge\nshared{file=\"a\"} 1\n"), std::string::npos)
      << run.text;
  EXPECT_EQ(run.text.find("shared{file=\"b\"}"), std::string::npos);
  EXPECT_EQ(run.text.find("Second help"), std::string::npos);
  EXPECT_EQ(testing::Sample(run.text, "only_in_b"), 7);
  EXPECT_EQ(testing::Sample(run.text, "node_textfile_scrape_error"), 1);
}

TEST(TextfileCollectorTest, MissingDirectoryIsAScrapeError) {
  testing::CollectorRun run = RunOnDirectory(testing::FixturePath("textfile/does-not-exist"));
  EXPECT_TRUE(run.status.ok());
  EXPECT_NE(run.warnings.find("failed to read textfile collector directory"), std::string::npos) << run.warnings;
  EXPECT_EQ(testing::Sample(run.text, "node_textfile_scrape_error"), 1);
}

// Upstream's textfile cases: each <case>/ dir against <case>.out, with the
// fixture path written as upstream's relative "fixtures/textfile/" and mtimes as 1
// (upstream's test pins them).
std::string NormalizeForUpstream(const std::string& text, const std::string& root) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    for (std::size_t p; (p = line.find(root)) != std::string::npos;) {
      line.replace(p, root.size(), "fixtures/textfile/");
    }
    if (line.rfind("node_textfile_mtime_seconds{", 0) == 0) {
      line = line.substr(0, line.rfind(' ')) + " 1";
    }
    out += line + "\n";
  }
  return out;
}

TEST(TextfileCollectorTest, MatchesNodeExporterCaseOutputs) {
  std::string root = std::string(HOSTWATCH_NODE_EXPORTER_FIXTURES) + "/textfile/";
  if (!std::filesystem::is_directory(root)) {
    GTEST_SKIP() << "node_exporter fixture tree not found at " << root;
  }
  const char* cases[] = {"two_metric_files",
                         "client_side_timestamp",
                         "different_metric_types",
                         "histogram",
                         "histogram_extra_dimension",
                         "summary",
                         "summary_extra_dimension",
                         "inconsistent_metrics",
                         "metrics_merge_different_help",
                         "metrics_merge_empty_help",
                         "metrics_merge_no_help",
                         "metrics_merge_same_help",
                         "no_metric_files",
                         "nonexistent_path"};
  for (const char* c : cases) {
    testing::CollectorRun run = RunOnDirectory(root + c);
    std::ifstream want_in(root + c + ".out");
    std::stringstream want;
    want << want_in.rdbuf();
    EXPECT_EQ(NormalizeForUpstream(run.text, root), want.str()) << c;
  }
}

}  // namespace
}  // namespace hostwatch
