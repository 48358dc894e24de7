#include "collectors/checks/check_metrics.h"

#include <gtest/gtest.h>

#include "collectors/core/metric_sink.h"
#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(CheckMetricsTest, ProbeTextIsBlackboxShapedAndSkipsAbsentFacts) {
  ProbeResult r;
  r.success = true;
  r.duration_seconds = 0.25;
  r.timeout_seconds = 10;
  r.status_code = 200;
  r.http_version = 1.1;
  r.content_length = 5;
  r.phases.processing = 0.2;
  std::string text = RenderProbeText(r);
  EXPECT_EQ(text.rfind("# HELP probe_dns_lookup_time_seconds Returns the time taken for probe dns lookup in seconds\n"
                       "# TYPE probe_dns_lookup_time_seconds gauge\nprobe_dns_lookup_time_seconds 0\n",
                       0),
            0u)
      << text;
  EXPECT_TRUE(HasLine(text, "probe_success 1")) << text;
  EXPECT_TRUE(HasLine(text, "probe_http_duration_seconds{phase=\"processing\"} 0.2")) << text;
  EXPECT_TRUE(HasLine(text, "probe_http_version 1.1")) << text;
  // Not resolved, no Last-Modified, no TLS: those families are left out, as blackbox leaves them out.
  for (const char* absent : {"probe_ip_addr_hash", "probe_http_last_modified_timestamp_seconds",
                             "probe_ssl_earliest_cert_expiry", "probe_tls_version_info", "probe_ssl_last_chain_info"}) {
    EXPECT_EQ(text.find(absent), std::string::npos) << absent;
  }
}

TEST(CheckMetricsTest, UnverifiedChainShowsGoZeroTimeAsLastChainExpiry) {
  ProbeResult r;
  r.tls.present = true;
  r.tls.earliest_cert_expiry = 1700000000;
  r.tls.version = "TLS 1.3";
  r.tls.cipher = "TLS_AES_128_GCM_SHA256";
  std::string text = RenderProbeText(r);
  EXPECT_TRUE(HasLine(text, "probe_ssl_earliest_cert_expiry 1.7e+09")) << text;
  EXPECT_TRUE(HasLine(text, "probe_ssl_last_chain_expiry_timestamp_seconds -6.21355968e+10")) << text;
  EXPECT_TRUE(HasLine(text, "probe_tls_version_info{version=\"TLS 1.3\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "probe_tls_cipher_info{cipher=\"TLS_AES_128_GCM_SHA256\"} 1")) << text;
}

TEST(CheckMetricsTest, CheckSeriesCarryTheCheckLabelsAndStaticLabels) {
  CheckDescs descs({"check", "target", "env"});
  RunHistory history({0.5});
  ProbeResult r;
  r.success = false;
  r.reason = FailureReason::kTimeout;
  r.duration_seconds = 1;
  history.Record(r, 5);
  const std::string name = "api";
  const std::vector<std::string> values = {"api", "http://h/", "prod"};
  MetricSink sink;
  AddCheckSeries(CheckSeries{name, descs, values, history, 3}, sink);
  std::vector<std::uint64_t> delays(ScheduleDelayBuckets().size() + 1, 0);
  AddSchedulerSeries(SchedulerSeries{2, delays, 0, 0}, sink);
  std::string text = SerializeText(sink.TakeFamilies());
  EXPECT_TRUE(HasLine(text, "probe_success{check=\"api\",env=\"prod\",target=\"http://h/\"} 0")) << text;
  EXPECT_TRUE(HasLine(text,
                      "probe_all_duration_seconds_bucket{check=\"api\",env=\"prod\",target=\"http://h/\","
                      "le=\"0.5\"} 0"))
      << text;
  EXPECT_TRUE(HasLine(text, "probe_all_success_count{check=\"api\",env=\"prod\",target=\"http://h/\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "hostwatch_check_failures_total{check=\"api\",reason=\"timeout\"} 1")) << text;
  EXPECT_EQ(text.find("reason=\"target_not_allowed\""), std::string::npos) << text;
  EXPECT_TRUE(HasLine(text, "hostwatch_check_skipped_total{check=\"api\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, "hostwatch_checks_in_flight 2")) << text;
  EXPECT_TRUE(HasLine(text, "hostwatch_check_schedule_delay_seconds_count 0")) << text;
}

}  // namespace
}  // namespace hostwatch
