#include "agent/status_page.h"

#include <gtest/gtest.h>

#include "collectors/core/metric_sink.h"

namespace hostwatch {
namespace {

const MetricDesc kCpu{"node_cpu_seconds_total", "cpu", MetricType::Counter, {"cpu", "mode"}};
const MetricDesc kLoad1{"node_load1", "l", MetricType::Gauge, {}};
const MetricDesc kMemTotal{"node_memory_MemTotal_bytes", "m", MetricType::Gauge, {}};
const MetricDesc kMemAvail{"node_memory_MemAvailable_bytes", "m", MetricType::Gauge, {}};
const MetricDesc kFsSize{"node_filesystem_size_bytes", "s", MetricType::Gauge, {"mountpoint"}};
const MetricDesc kFsAvail{"node_filesystem_avail_bytes", "a", MetricType::Gauge, {"mountpoint"}};

std::vector<prometheus::MetricFamily> Families(double idle, double user) {
  MetricSink sink;
  sink.Add(kCpu, idle, {"0", "idle"});
  sink.Add(kCpu, user, {"0", "user"});
  sink.Add(kLoad1, 0.5);
  sink.Add(kMemTotal, 1000);
  sink.Add(kMemAvail, 250);
  sink.Add(kFsSize, 50, {"/boot"});
  sink.Add(kFsSize, 200, {"/"});
  sink.Add(kFsAvail, 50, {"/"});
  return sink.TakeFamilies();
}

TEST(StatusPageTest, SummarizesHostFromMetricFamilies) {
  HostSummary first = SummarizeHost(Families(75, 25), std::nullopt);
  ASSERT_TRUE(first.cpu_busy_ratio.has_value());
  EXPECT_DOUBLE_EQ(*first.cpu_busy_ratio, 0.25);  // since boot
  EXPECT_DOUBLE_EQ(*first.load1, 0.5);
  EXPECT_DOUBLE_EQ(*first.memory_available_bytes, 250);
  EXPECT_DOUBLE_EQ(*first.root_size_bytes, 200);  // the "/" series, not /boot
  EXPECT_DOUBLE_EQ(*first.root_avail_bytes, 50);

  // Between two views: 10 s idle and 30 s user -> 75% busy.
  HostSummary second = SummarizeHost(Families(85, 55), SumCpuSeconds(Families(75, 25)));
  EXPECT_DOUBLE_EQ(*second.cpu_busy_ratio, 0.75);
}

TEST(StatusPageTest, EscapesEverythingFromConfigurationAndTargets) {
  StatusPageData d;
  d.version = "1.0";
  d.config_file = "/etc/<script>alert(1)</script>.yml";
  CheckStatusRow row;
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
  EXPECT_NE(html.find("/probe?module=%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E&amp;debug=true"),
            std::string::npos);
}

TEST(StatusPageTest, ShowsMissingNumbersAsNotAvailable) {
  StatusPageData d;
  std::string html = RenderStatusPage(d);
  EXPECT_NE(html.find("id=\"cpu-busy\"><div class=\"v\">n/a"), std::string::npos);
  EXPECT_NE(html.find("No HTTP checks configured"), std::string::npos);
  EXPECT_NE(html.find("none (built-in defaults)"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
