#include "collectors/checks/x509/x509_file_watcher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>

#include "tests/unit/checks/x509/test_certs.h"
#include "tests/unit/test_util.h"

namespace hostwatch {
namespace {

using testing::CertSpec;
using testing::CollectText;
using testing::MakeCertPem;
using testing::WithSerial;
using testing::Sample;
using testing::TempDir;

TEST(ExpandPatternsTest, SortedUniqueWithProblemsPerPattern) {
  TempDir dir;
  for (const char* name : {"b.pem", "a.pem", "c.crt", "sub/d.pem"}) {
    dir.Write(name, "x");
  }
  const std::string d = dir.path();
  PatternExpansion e = ExpandPatterns({d + "/*.pem", d + "/a.pem", d + "/*/*.pem", d + "/none-*.pem"}, 100);
  EXPECT_EQ(e.files, (std::vector<std::string>{d + "/a.pem", d + "/b.pem", d + "/sub/d.pem"}));
  EXPECT_EQ(e.pattern_problems, (std::map<std::string, std::string>{{d + "/none-*.pem", "no_match"}}));
}

TEST(ExpandPatternsTest, KeepsTheFirstFilesOfAPatternThatMatchesTooMany) {
  TempDir dir;
  for (const char* name : {"3.pem", "1.pem", "2.pem"}) {
    dir.Write(name, "x");
  }
  PatternExpansion e = ExpandPatterns({dir.path() + "/*.pem"}, 2);
  EXPECT_EQ(e.files, (std::vector<std::string>{dir.path() + "/1.pem", dir.path() + "/2.pem"}));
  EXPECT_EQ(e.pattern_problems.at(dir.path() + "/*.pem"), "too_many_matches");
}

TEST(ExpandPatternsTest, LiteralPathMatchesOnlyWhenItExists) {
  TempDir dir;
  dir.Write("here.pem", "x");
  PatternExpansion e = ExpandPatterns({dir.path() + "/here.pem", dir.path() + "/gone.pem"}, 10);
  EXPECT_EQ(e.files, (std::vector<std::string>{dir.path() + "/here.pem"}));
  EXPECT_EQ(e.pattern_problems.at(dir.path() + "/gone.pem"), "no_match");
}

std::string CertSeries(const std::string& file, long serial) {
  return "ssl_file_cert_not_after{cn=\"leaf.example\",dnsnames=\"\",emails=\"\",file=\"" + file +
         "\",ips=\"\",issuer_cn=\"Test CA\",ou=\"\",serial_no=\"" + std::to_string(serial) + "\"}";
}

TEST(X509FileWatcherTest, ReadsAgainOnlyWhenTheFileChanged) {
  TempDir dir;
  const std::string file = dir.path() + "/cert.pem";
  dir.Write("cert.pem", MakeCertPem(WithSerial(1)));
  std::vector<X509FileEvent> events;
  X509FileWatcher w([&](const X509FileEvent& e) { events.push_back(e); });
  w.Update({dir.path() + "/*.pem"});

  std::string first = CollectText(w);
  EXPECT_EQ(Sample(first, CertSeries(file, 1)), 1800000000);
  EXPECT_EQ(Sample(first, "hostwatch_x509_file_reads_total"), 1);
  EXPECT_EQ(Sample(first, "hostwatch_x509_refresh_stuck"), 0);
  std::string second = CollectText(w);
  EXPECT_EQ(Sample(second, "hostwatch_x509_file_reads_total"), 1);  // unchanged: not parsed again
  EXPECT_EQ(events.size(), 1u);                                      // and not reported again

  dir.Write("cert.pem", MakeCertPem(WithSerial(2, 1900000000)));
  // The same size and maybe the same mtime tick: move mtime on so the change is seen.
  struct timeval times[2] = {{1, 0}, {2, 0}};
  ASSERT_EQ(::utimes(file.c_str(), times), 0);
  std::string third = CollectText(w);
  EXPECT_EQ(Sample(third, "hostwatch_x509_file_reads_total"), 2);
  EXPECT_EQ(Sample(third, CertSeries(file, 2)), 1900000000);
  EXPECT_FALSE(Sample(third, CertSeries(file, 1)).has_value());
  EXPECT_EQ(events.size(), 2u);
}

TEST(X509FileWatcherTest, ProblemsAreShownAndCountedOncePerChange) {
  TempDir dir;
  dir.Write("bad.pem", "garbage");
  dir.Write("empty.pem", "");
  ASSERT_EQ(::mkfifo((dir.path() + "/fifo.pem").c_str(), 0600), 0);
  std::vector<X509FileEvent> events;
  X509FileWatcher w([&](const X509FileEvent& e) { events.push_back(e); });
  w.Update({dir.path() + "/*.pem", dir.path() + "/missing.pem"});
  std::string text;
  for (int i = 0; i < 3; ++i) {
    text = CollectText(w);
  }
  const std::string d = dir.path();
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_error{file=\"" + d + "/bad.pem\",reason=\"parse_error\"}"), 1);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_error{file=\"" + d + "/empty.pem\",reason=\"empty\"}"), 1);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_error{file=\"" + d + "/fifo.pem\",reason=\"not_regular_file\"}"), 1);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_error{file=\"" + d + "/missing.pem\",reason=\"no_match\"}"), 1);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_errors_total{reason=\"parse_error\"}"), 1);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_errors_total{reason=\"read_error\"}"), 0);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_reads_total"), 2);  // bad and empty; the FIFO is never opened
  EXPECT_EQ(events.size(), 4u);

  std::vector<X509FileSummary> s = w.Summaries();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].file, d + "/bad.pem");
  EXPECT_EQ(s[0].detail, d + "/bad.pem: neither PEM nor a DER certificate");
}

TEST(X509FileWatcherTest, TooLargeIsSkippedUnread) {
  TempDir dir;
  dir.Write("big.pem", std::string(2000, 'A'));
  X509FileWatcher w(nullptr, X509FileWatcher::Limits{.max_file_bytes = 1000, .max_files_per_pattern = 10});
  w.Update({dir.path() + "/big.pem"});
  std::string text = CollectText(w);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_error{file=\"" + dir.path() + "/big.pem\",reason=\"too_large\"}"), 1);
  EXPECT_EQ(Sample(text, "hostwatch_x509_file_reads_total"), 0);
}

TEST(X509FileWatcherTest, NothingWithoutPatterns) {
  X509FileWatcher w(nullptr);
  EXPECT_EQ(CollectText(w), "");
  w.Update({"/nonexistent/*.pem"});
  EXPECT_NE(CollectText(w), "");
  w.Update({});
  EXPECT_EQ(CollectText(w), "");
  EXPECT_TRUE(w.Summaries().empty());
}

}  // namespace
}  // namespace hostwatch
