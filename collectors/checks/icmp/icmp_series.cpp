#include "collectors/checks/icmp/icmp_series.h"

#include <algorithm>
#include <cmath>

#include "collectors/checks/check_metrics.h"

namespace hostwatch {
namespace {

std::vector<std::string> With(std::vector<std::string> values, std::string value) {
  values.push_back(std::move(value));
  return values;
}

MetricDesc Gauge(const char* name, const char* help, std::vector<std::string> labels) {
  return MetricDesc{name, help, MetricType::Gauge, std::move(labels)};
}

}  // namespace

IcmpDescs::IcmpDescs(const std::vector<std::string>& base)
    : phase_duration(Gauge("probe_icmp_duration_seconds", "Duration of icmp request by phase", With(base, "phase"))),
      reply_hop_limit(Gauge("probe_icmp_reply_hop_limit", "Replied packet hop limit (TTL for ipv4)", base)),
      packets_sent(
          Gauge("probe_icmp_packets_sent", "Echo requests sent by the probe (modules with packets > 1)", base)),
      packets_received(Gauge("probe_icmp_packets_received",
                             "Echo requests of the probe that were answered (modules with packets > 1)", base)),
      packet_loss(Gauge("probe_icmp_packet_loss_ratio",
                        "Share of the module's echo requests that got no reply, 0 to 1 (modules with packets > 1)",
                        base)),
      rtt(Gauge("probe_icmp_rtt_seconds",
                "Round trips of the probe's answered echoes: min, avg, max and stddev (modules with packets > 1)",
                With(base, "stat"))) {}

void AddIcmpResultSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                         MetricSink& sink) {
  const IcmpFacts& f = r.icmp;
  sink.Add(d.success, r.success ? 1 : 0, base);
  sink.Add(d.duration, r.duration_seconds, base);
  sink.Add(d.dns_lookup, r.dns_lookup_seconds, base);
  sink.Add(d.ip_protocol, r.ip_protocol, base);
  sink.Add(d.ip_addr_hash, r.ip_addr_hash, base);
  sink.Add(d.icmp.phase_duration, r.phases.resolve, With(base, "resolve"));
  sink.Add(d.icmp.phase_duration, f.setup_seconds, With(base, "setup"));
  sink.Add(d.icmp.phase_duration, f.rtt_seconds, With(base, "rtt"));
  if (r.success && f.reply_hop_limit >= 0) {
    sink.Add(d.icmp.reply_hop_limit, f.reply_hop_limit, base);
  }
  if (f.packets <= 1) {
    return;  // blackbox's behaviour, and exactly its series
  }
  sink.Add(d.icmp.packets_sent, f.sent, base);
  sink.Add(d.icmp.packets_received, f.received, base);
  sink.Add(d.icmp.packet_loss, 1.0 - static_cast<double>(f.received) / f.packets, base);
  if (f.received > 0) {
    const RttSpread s = SpreadOf(f.rtts);
    sink.Add(d.icmp.rtt, s.min, With(base, "min"));
    sink.Add(d.icmp.rtt, s.avg, With(base, "avg"));
    sink.Add(d.icmp.rtt, s.max, With(base, "max"));
    sink.Add(d.icmp.rtt, s.stddev, With(base, "stddev"));
  }
}

RttSpread SpreadOf(const std::vector<double>& rtts) {
  RttSpread s;
  if (rtts.empty()) {
    return s;
  }
  const auto [lo, hi] = std::minmax_element(rtts.begin(), rtts.end());
  s.min = *lo;
  s.max = *hi;
  double sum = 0;
  for (double v : rtts) {
    sum += v;
  }
  s.avg = sum / static_cast<double>(rtts.size());
  double squares = 0;
  for (double v : rtts) {
    squares += (v - s.avg) * (v - s.avg);
  }
  s.stddev = std::sqrt(squares / static_cast<double>(rtts.size()));
  return s;
}

}  // namespace hostwatch
