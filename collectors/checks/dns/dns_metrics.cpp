#include "collectors/checks/dns/dns_metrics.h"

#include "collectors/checks/check_metrics.h"

namespace hostwatch {
namespace {

MetricDesc Gauge(const char* name, const char* help, std::vector<std::string> labels) {
  return MetricDesc{name, help, MetricType::Gauge, std::move(labels)};
}

std::vector<std::string> With(std::vector<std::string> values, std::string value) {
  values.push_back(std::move(value));
  return values;
}

}  // namespace

DnsDescs::DnsDescs(const std::vector<std::string>& base)
    : phase_duration(Gauge("probe_dns_duration_seconds", "Duration of DNS request by phase", With(base, "phase"))),
      answer_rrs(Gauge("probe_dns_answer_rrs", "Returns number of entries in the answer resource record list", base)),
      authority_rrs(
          Gauge("probe_dns_authority_rrs", "Returns number of entries in the authority resource record list", base)),
      additional_rrs(
          Gauge("probe_dns_additional_rrs", "Returns number of entries in the additional resource record list", base)),
      query_succeeded(
          Gauge("probe_dns_query_succeeded", "Displays whether or not the query was executed successfully", base)),
      serial(Gauge("probe_dns_serial", "Returns the serial number of the zone", base)) {}

void AddDnsResultSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                        MetricSink& sink) {
  const DnsFacts& f = r.dns;
  sink.Add(d.success, r.success ? 1 : 0, base);
  sink.Add(d.duration, r.duration_seconds, base);
  sink.Add(d.dns_lookup, r.dns_lookup_seconds, base);
  sink.Add(d.ip_protocol, r.ip_protocol, base);
  sink.Add(d.ip_addr_hash, r.ip_addr_hash, base);
  const DnsDescs& dns = d.dns;
  sink.Add(dns.phase_duration, f.resolve_seconds, With(base, "resolve"));
  sink.Add(dns.phase_duration, f.connect_seconds, With(base, "connect"));
  sink.Add(dns.phase_duration, f.request_seconds, With(base, "request"));
  sink.Add(dns.answer_rrs, f.answer_rrs, base);
  sink.Add(dns.authority_rrs, f.authority_rrs, base);
  sink.Add(dns.additional_rrs, f.additional_rrs, base);
  sink.Add(dns.query_succeeded, f.query_succeeded ? 1 : 0, base);
  if (f.has_serial) {
    sink.Add(dns.serial, f.serial, base);
  }
}

}  // namespace hostwatch
