#include "agent/status_page.h"

#include <gtest/gtest.h>

namespace hostwatch {
namespace {

TEST(StatusPageTest, EscapesEverythingFromConfigurationAndTargets) {
  StatusPageData d;
  d.version = "1.0";
  d.config_file = "/etc/<script>alert(1)</script>.yml";
  CheckSummary row;
  row.name = "<img src=x onerror=alert(1)>";
  row.target = "http://x/?a=\"b\"&c";
  row.has_run = true;
  row.last_failure_reason = "<b>bold</b>";
  d.checks.push_back(row);
  CollectorRunInfo c;
  c.name = "cpu";
  c.ever_run = true;
  c.last_error = "bad <line>";
  d.collectors.push_back(c);
  std::string html = RenderStatusPage(d);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("http://x/?a=&quot;b&quot;&amp;c"), std::string::npos);
  EXPECT_NE(html.find("bad &lt;line&gt;"), std::string::npos);
  // The link to the check's run log carries the name URL-encoded.
  EXPECT_NE(html.find("/probe?module=%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E&amp;debug=true"), std::string::npos);
}

TEST(StatusPageTest, ShowsMissingNumbersAsNotAvailable) {
  StatusPageData d;
  std::string html = RenderStatusPage(d);
  EXPECT_NE(html.find("id=\"cpu-busy\"><div class=\"v\">n/a"), std::string::npos);
  EXPECT_NE(html.find("No checks configured"), std::string::npos);
  EXPECT_NE(html.find("none (built-in defaults)"), std::string::npos);
}

TEST(StatusPageTest, ListsCertificateFilesOnlyWhenConfigured) {
  StatusPageData d;
  EXPECT_EQ(RenderStatusPage(d).find("x509-files"), std::string::npos);
  d.x509_files.push_back({"/etc/ssl/<a>.pem", 0, 0, "parse_error", "/etc/ssl/<a>.pem: neither PEM nor DER"});
  d.x509_files.push_back({"/etc/ssl/ok.pem", 3, 1800000000, "", ""});
  std::string html = RenderStatusPage(d);
  EXPECT_NE(html.find("<tr><td>/etc/ssl/&lt;a&gt;.pem</td><td>0</td><td></td><td><span class=\"bad\">parse_error</span> "
                      "/etc/ssl/&lt;a&gt;.pem: neither PEM nor DER</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<tr><td>/etc/ssl/ok.pem</td><td>3</td><td>2027-01-15"), std::string::npos) << html;
}

TEST(StatusPageTest, ListsRemoteWriteEndpointsOnlyWhenConfigured) {
  StatusPageData d;
  EXPECT_EQ(RenderStatusPage(d).find("remote-write"), std::string::npos);
  d.remote_write.push_back({"mimir", "https://mimir.example/api/v1/push", "retrying", 90, "HTTP 503: <down>"});
  std::string html = RenderStatusPage(d);
  EXPECT_NE(html.find("<tr><td>mimir</td><td>https://mimir.example/api/v1/push</td><td><span class=\"bad\">retrying"
                      "</span></td><td>1m 30s</td><td>HTTP 503: &lt;down&gt;</td></tr>"),
            std::string::npos)
      << html;
}

TEST(StatusPageTest, SaysWhenMetricsWereNotScrapedYet) {
  StatusPageData d;
  std::string html = RenderStatusPage(d);
  EXPECT_NE(html.find("id=\"no-scrape\">Not scraped yet"), std::string::npos);
  EXPECT_EQ(html.find("id=\"scraped-at\""), std::string::npos);
}

TEST(StatusPageTest, ShowsTheLastScrapesHostNumbersAndTheirTime) {
  StatusPageData d;
  HostReading r;
  r.load1 = 0.5;
  r.load5 = 0.25;
  r.load15 = 1;
  r.memory_total_bytes = 1000;
  r.memory_available_bytes = 250;
  r.root_size_bytes = 200;
  r.root_avail_bytes = 50;
  d.host = Summarize(r, std::nullopt, 0);
  d.host->cpu_busy_ratio = 0.125;
  std::string html = RenderStatusPage(d);
  EXPECT_NE(html.find("id=\"scraped-at\">As of the last scrape of the metrics endpoint, 1970-01-01 00:00:00 UTC"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"cpu-busy\"><div class=\"v\">12.5%"), std::string::npos);
  EXPECT_NE(html.find("id=\"load\"><div class=\"v\">0.50 / 0.25 / 1.00"), std::string::npos);
  EXPECT_NE(html.find("id=\"memory-used\"><div class=\"v\">75.0% of 1000 B"), std::string::npos);
  EXPECT_NE(html.find("id=\"root-used\"><div class=\"v\">75.0% of 200 B"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
