#include "collectors/checks/dns/dns_metrics.h"

#include <gtest/gtest.h>

#include "collectors/checks/check_metrics.h"

namespace hostwatch {
namespace {

// The names blackbox 0.28's prober/dns.go registers (plus the handler's two).
TEST(DnsMetricsTest, ProbeTextHasBlackboxFamilies) {
  ProbeResult r;
  r.prober = ProberKind::kDns;
  r.success = true;
  r.ip_protocol = 4;
  r.dns.query_succeeded = true;
  r.dns.answer_rrs = 2;
  r.dns.authority_rrs = 1;
  const std::string text = RenderProbeText(r);
  for (const char* line :
       {"probe_dns_answer_rrs 2\n", "probe_dns_authority_rrs 1\n", "probe_dns_additional_rrs 0\n",
        "probe_dns_query_succeeded 1\n", "probe_dns_duration_seconds{phase=\"resolve\"} 0\n",
        "probe_dns_duration_seconds{phase=\"connect\"} 0\n", "probe_dns_duration_seconds{phase=\"request\"} 0\n",
        "probe_ip_protocol 4\n", "probe_ip_addr_hash 0\n", "probe_dns_lookup_time_seconds 0\n", "probe_success 1\n",
        "# HELP probe_dns_query_succeeded Displays whether or not the query was executed successfully\n",
        "# HELP probe_dns_duration_seconds Duration of DNS request by phase\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
  }
  // Only for an SOA query that got an answer; no HTTP, regex or timeout series (blackbox's dns prober has none).
  for (const char* absent : {"probe_dns_serial", "probe_http_", "probe_failed_due_to_regex", "probe_timeout_seconds",
                             "probe_ssl_", "probe_tls_"}) {
    EXPECT_EQ(text.find(absent), std::string::npos) << absent;
  }
  r.dns.has_serial = true;
  r.dns.serial = 2024010101;
  EXPECT_NE(RenderProbeText(r).find("probe_dns_serial 2.024010101e+09\n"), std::string::npos) << RenderProbeText(r);
}

}  // namespace
}  // namespace hostwatch
