// The series of a grpc run (check_metrics.cpp's AddGrpcResultSeries), as
// blackbox 0.28's prober/grpc.go registers them in each case.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "collectors/checks/check_metrics.h"

namespace hostwatch {
namespace {

std::vector<std::string> Lines(const ProbeResult& r) {
  std::vector<std::string> out;
  const std::string text = RenderProbeText(r);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line[0] != '#') {
      out.push_back(line);
    }
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

ProbeResult Answered(long long serving) {
  ProbeResult r;
  r.prober = ProberKind::kGrpc;
  r.success = serving == 1;
  r.duration_seconds = 0.5;
  r.phases.resolve = 0.25;
  r.phases.processing = 0.25;
  r.ip_protocol = 4;
  r.ip_addr_hash = 7;
  r.grpc_called = true;
  r.grpc_serving_status = serving;
  return r;
}

TEST(GrpcMetricsTest, AnsweredCallShowsEveryServingStatusAndNoTlsInPlaintext) {
  const std::vector<std::string> want = {
      "probe_dns_lookup_time_seconds 0",
      "probe_duration_seconds 0.5",
      "probe_grpc_duration_seconds{phase=\"check\"} 0.25",
      "probe_grpc_duration_seconds{phase=\"resolve\"} 0.25",
      "probe_grpc_healthcheck_response{serving_status=\"NOT_SERVING\"} 1",
      "probe_grpc_healthcheck_response{serving_status=\"SERVICE_UNKNOWN\"} 0",
      "probe_grpc_healthcheck_response{serving_status=\"SERVING\"} 0",
      "probe_grpc_healthcheck_response{serving_status=\"UNKNOWN\"} 0",
      "probe_grpc_ssl 0",
      "probe_grpc_status_code 0",
      "probe_ip_addr_hash 7",
      "probe_ip_protocol 4",
      "probe_success 0",
  };
  EXPECT_EQ(Lines(Answered(2)), want);
}

TEST(GrpcMetricsTest, AServingStatusTheEnumLacksIsNamedByItsNumber) {
  const std::vector<std::string> lines = Lines(Answered(9));
  EXPECT_NE(std::find(lines.begin(), lines.end(), "probe_grpc_healthcheck_response{serving_status=\"9\"} 1"),
            lines.end());
}

TEST(GrpcMetricsTest, TlsSeriesOnlyForAnAnsweredCallOverTls) {
  ProbeResult r = Answered(1);
  r.tls.version = "TLS 1.3";
  r.tls.present = true;
  r.tls.earliest_cert_expiry = 2082672000;
  EXPECT_EQ(RenderProbeText(r).find("probe_tls_version_info"), std::string::npos);  // r.ssl is false
  r.ssl = true;
  const std::vector<std::string> lines = Lines(r);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "probe_ssl_earliest_cert_expiry 2.082672e+09"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "probe_tls_version_info{version=\"TLS 1.3\"} 1"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "probe_grpc_ssl 1"), lines.end());
}

TEST(GrpcMetricsTest, NoAddressNoCallPhaseAndNoServingStatus) {
  ProbeResult r;
  r.prober = ProberKind::kGrpc;
  r.reason = FailureReason::kDns;
  const std::string text = RenderProbeText(r);
  EXPECT_NE(text.find("probe_grpc_duration_seconds{phase=\"resolve\"} 0"), std::string::npos);
  EXPECT_EQ(text.find("phase=\"check\""), std::string::npos);
  EXPECT_EQ(text.find("probe_grpc_healthcheck_response"), std::string::npos);
  EXPECT_NE(text.find("probe_grpc_status_code 0"), std::string::npos);
}

}  // namespace
}  // namespace hostwatch
