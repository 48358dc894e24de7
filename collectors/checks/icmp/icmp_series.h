// The icmp prober's series: blackbox 0.28's (prober/icmp.go:
// probe_icmp_duration_seconds{phase}, probe_icmp_reply_hop_limit, and
// chooseProtocol's probe_dns_lookup_time_seconds, probe_ip_protocol,
// probe_ip_addr_hash) and, for modules with packets > 1, hostwatch's
// smokeping-style ones (packet counts, loss ratio, round-trip spread).
// Descriptors are immutable once built; the functions are pure.
#pragma once

#include <string>
#include <vector>

#include "collectors/checks/http/probe_result.h"
#include "collectors/core/metric_sink.h"

namespace hostwatch {

struct CheckDescs;  // collectors/checks/check_metrics.h

// The icmp families for one set of label names (base: check, target, ...).
struct IcmpDescs {
  explicit IcmpDescs(const std::vector<std::string>& base);
  MetricDesc phase_duration, reply_hop_limit, packets_sent, packets_received, packet_loss, rtt;
};

// One icmp result's series, as blackbox registers them: every family always,
// except probe_icmp_reply_hop_limit (only when a reply came and the kernel
// gave its hop limit) and hostwatch's (only when the module sends packets > 1;
// probe_icmp_rtt_seconds only when a reply came).
void AddIcmpResultSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                         MetricSink& sink);

// min, avg, max and population standard deviation of round trips (all 0 when there are none).
struct RttSpread {
  double min = 0, avg = 0, max = 0, stddev = 0;
};
RttSpread SpreadOf(const std::vector<double>& rtts);

}  // namespace hostwatch
