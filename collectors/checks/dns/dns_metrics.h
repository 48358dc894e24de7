// A dns run's series: what blackbox 0.28's prober/dns.go (and the
// chooseProtocol it calls) registers, with its names and HELP texts:
// probe_dns_lookup_time_seconds, probe_ip_protocol, probe_ip_addr_hash,
// probe_dns_duration_seconds{phase="resolve|connect|request"},
// probe_dns_answer_rrs, probe_dns_authority_rrs, probe_dns_additional_rrs,
// probe_dns_query_succeeded, probe_dns_serial (query_type SOA, once a response
// came), beside probe_success and probe_duration_seconds. blackbox registers
// no TLS series for a DNS-over-TLS probe, so neither does hostwatch.
//
// Descriptors are immutable after construction and may be shared between threads.
#pragma once

#include <string>
#include <vector>

#include "collectors/checks/http/probe_result.h"
#include "collectors/core/metric_sink.h"

namespace hostwatch {

struct CheckDescs;  // collectors/checks/check_metrics.h

struct DnsDescs {
  explicit DnsDescs(const std::vector<std::string>& base_label_names);
  MetricDesc phase_duration, answer_rrs, authority_rrs, additional_rrs, query_succeeded, serial;
};

// label_values match descs.base.
void AddDnsResultSeries(const ProbeResult& result, const CheckDescs& descs,
                        const std::vector<std::string>& label_values, MetricSink& sink);

}  // namespace hostwatch
