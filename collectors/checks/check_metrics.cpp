#include "collectors/checks/check_metrics.h"

#include <algorithm>
#include <utility>

#include "collectors/checks/grpc/grpc_codec.h"
#include "collectors/core/text_format.h"

namespace hostwatch {
namespace {

using Label = prometheus::ClientMetric::Label;

// blackbox_exporter's date for "no verified chain" (Go's zero time.Time in unix seconds).
constexpr double kGoZeroTimeUnix = -62135596800.0;

std::vector<std::string> Plus(std::vector<std::string> names, std::initializer_list<const char*> more) {
  for (const char* n : more) {
    names.emplace_back(n);
  }
  return names;
}

MetricDesc Gauge(const char* name, const char* help, std::vector<std::string> labels) {
  return MetricDesc{name, help, MetricType::Gauge, std::move(labels)};
}

std::vector<std::string> With(std::vector<std::string> values, std::string value) {
  values.push_back(std::move(value));
  return values;
}

const MetricDesc kInFlight{"hostwatch_checks_in_flight", "HTTP check runs in progress.", MetricType::Gauge, {}};

prometheus::MetricFamily HistogramFamily(const char* name, const char* help, std::vector<Label> labels,
                                         const std::vector<double>& bounds, const std::vector<std::uint64_t>& counts,
                                         double sum, std::uint64_t count) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = MetricType::Histogram;
  prometheus::ClientMetric& m = f.metric.emplace_back();
  m.label = std::move(labels);
  m.histogram.sample_count = count;
  m.histogram.sample_sum = sum;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    m.histogram.bucket.push_back({cumulative, bounds[i]});
  }
  return f;
}

std::vector<Label> Labels(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::vector<Label> labels;
  for (std::size_t i = 0; i < names.size(); ++i) {
    labels.push_back(Label{names[i], values[i]});
  }
  return labels;
}

// The probe_all_* aggregates of one check.
void AddAggregates(const CheckSeries& c, MetricSink& sink) {
  const RunHistory& h = c.history;
  std::vector<Label> labels = Labels(c.descs.base, c.label_values);
  sink.AddFamily(HistogramFamily("probe_all_duration_seconds",
                                 "Histogram of the duration of every run of the check, in seconds.", labels,
                                 h.latency_buckets(), h.bucket_counts(), h.duration_sum(), h.runs()));
  prometheus::MetricFamily success;
  success.name = "probe_all_success";
  success.help = "Successful runs (_sum) and all runs (_count) of the check.";
  success.type = MetricType::Summary;
  prometheus::ClientMetric& m = success.metric.emplace_back();
  m.label = std::move(labels);
  m.summary.sample_count = h.runs();
  m.summary.sample_sum = static_cast<double>(h.successes());
  sink.AddFamily(std::move(success));
  if (h.last().prober == ProberKind::kIcmp) {
    const BucketHistogram& rtt = h.rtt_histogram();
    sink.AddFamily(HistogramFamily("probe_all_icmp_rtt_seconds",
                                   "Histogram of the round trip of every answered echo of the check, in seconds.",
                                   Labels(c.descs.base, c.label_values), rtt.bounds(), rtt.counts(), rtt.sum(),
                                   rtt.count()));
  }
}

// probe_ssl_last_chain_info, when the run kept the verified leaf's identity.
void AddLastChainInfo(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                      MetricSink& sink) {
  if (r.tls.last_chain_leaf) {
    const CertificateInfo& leaf = *r.tls.last_chain_leaf;
    std::vector<std::string> values = base;
    values.insert(values.end(),
                  {leaf.fingerprint_sha256, leaf.subject, leaf.issuer, leaf.subjectalternative, leaf.serialnumber});
    sink.Add(d.ssl_last_chain_info, 1, values);
  }
}

// The TLS part of AddResultSeries.
void AddTlsSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base, MetricSink& sink) {
  if (r.tls.present) {
    // Kept when verification failed (an expired certificate still shows its date), unlike blackbox.
    sink.Add(d.ssl_earliest_expiry, r.tls.earliest_cert_expiry, base);
    sink.Add(d.ssl_last_chain_expiry, r.tls.verified ? r.tls.last_chain_expiry : kGoZeroTimeUnix, base);
  }
  AddLastChainInfo(r, d, base, sink);
  if (!r.tls.version.empty()) {
    sink.Add(d.tls_version, 1, With(base, r.tls.version));
    sink.Add(d.tls_cipher, 1, With(base, r.tls.cipher));
  }
}

}  // namespace

CheckDescs::CheckDescs(std::vector<std::string> base_label_names, std::vector<std::string> id_label_names)
    : base(std::move(base_label_names)),
      id(std::move(id_label_names)),
      success(Gauge("probe_success", "Displays whether or not the probe was a success", base)),
      duration(Gauge("probe_duration_seconds", "Returns how long the probe took to complete in seconds", base)),
      timeout(Gauge("probe_timeout_seconds", "Returns how long the probe timeout is in seconds", base)),
      dns_lookup(
          Gauge("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", base)),
      ip_protocol(Gauge("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6", base)),
      ip_addr_hash(Gauge("probe_ip_addr_hash",
                         "Specifies the hash of IP address. It's useful to detect if the IP address changes.", base)),
      phase_duration(Gauge("probe_http_duration_seconds",
                           "Duration of http request by phase, summed over all redirects", Plus(base, {"phase"}))),
      status_code(Gauge("probe_http_status_code", "Response HTTP status code", base)),
      http_version(Gauge("probe_http_version", "Returns the version of HTTP of the probe response", base)),
      content_length(Gauge("probe_http_content_length", "Length of http content response", base)),
      uncompressed_body_length(
          Gauge("probe_http_uncompressed_body_length", "Length of uncompressed response body", base)),
      redirects(Gauge("probe_http_redirects", "The number of redirects", base)),
      ssl(Gauge("probe_http_ssl", "Indicates if SSL was used for the final redirect", base)),
      failed_due_to_regex(Gauge("probe_failed_due_to_regex", "Indicates if probe failed due to regex", base)),
      last_modified(Gauge("probe_http_last_modified_timestamp_seconds",
                          "Returns the Last-Modified HTTP response header in unixtime", base)),
      ssl_earliest_expiry(Gauge("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime", base)),
      ssl_last_chain_expiry(
          Gauge("probe_ssl_last_chain_expiry_timestamp_seconds", "Returns last SSL chain expiry in timestamp", base)),
      ssl_last_chain_info(Gauge("probe_ssl_last_chain_info", "Contains SSL leaf certificate information",
                                Plus(base, {"fingerprint_sha256", "subject", "issuer", "subjectalternative",
                                            "serialnumber"}))),
      tls_version(
          Gauge("probe_tls_version_info", "Returns the TLS version used or NaN when unknown", Plus(base, {"version"}))),
      tls_cipher(Gauge("probe_tls_cipher_info", "Returns the TLS cipher negotiated during handshake",
                       Plus(base, {"cipher"}))),
      grpc_duration(Gauge("probe_grpc_duration_seconds", "Duration of gRPC request by phase", Plus(base, {"phase"}))),
      grpc_ssl(Gauge("probe_grpc_ssl", "Indicates if SSL was used for the connection", base)),
      grpc_status_code(Gauge("probe_grpc_status_code", "Response gRPC status code", base)),
      grpc_healthcheck(
          Gauge("probe_grpc_healthcheck_response", "Response HealthCheck response", Plus(base, {"serving_status"}))),
      dns(base),
      failures{"hostwatch_check_failures_total", "Failed runs of the check by reason.", MetricType::Counter,
               Plus(id, {"reason"})},
      phase_totals{"hostwatch_check_phase_seconds_total", "Time spent in each HTTP phase over all runs of the check.",
                   MetricType::Counter, Plus(id, {"phase"})},
      last_success{"hostwatch_check_last_success_timestamp_seconds",
                   "Unix time the last successful run started; 0 if none succeeded since the check was loaded.",
                   MetricType::Gauge, id},
      last_run{"hostwatch_check_last_run_timestamp_seconds", "Unix time the last completed run started.",
               MetricType::Gauge, id},
      consecutive_failures{"hostwatch_check_consecutive_failures", "Failed runs in a row since the last success.",
                           MetricType::Gauge, id},
      skipped{"hostwatch_check_skipped_total",
              "Runs skipped because the previous run was still going or no concurrency slot freed before the next "
              "one was due.",
              MetricType::Counter, id},
      icmp(base) {}

namespace {

// What every socket prober shows: the handler's probe_success and
// probe_duration_seconds, and chooseProtocol's three (prober/utils.go).
void AddLookupSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                     MetricSink& sink) {
  sink.Add(d.success, r.success ? 1 : 0, base);
  sink.Add(d.duration, r.duration_seconds, base);
  sink.Add(d.dns_lookup, r.dns_lookup_seconds, base);
  sink.Add(d.ip_protocol, r.ip_protocol, base);
  sink.Add(d.ip_addr_hash, r.ip_addr_hash, base);
}

// blackbox 0.25+'s probe_expect_info: 1 with the labelled step's labels. Its
// label names are the module's, so it is a family of its own (the exposition
// merges families of one name). A label the check's own labels (checks:
// labels, file_sd) already name is left out: that one wins, as one series
// cannot carry a name twice.
void AddExpectInfo(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                   MetricSink& sink) {
  prometheus::MetricFamily f;
  f.name = "probe_expect_info";
  f.help = "Explicit content matched";
  f.type = MetricType::Gauge;
  prometheus::ClientMetric& m = f.metric.emplace_back();
  m.label = Labels(d.base, base);
  for (const auto& [name, value] : r.expect_info) {
    if (std::find(d.base.begin(), d.base.end(), name) == d.base.end()) {
      m.label.push_back(Label{name, value});
    }
  }
  std::sort(m.label.begin(), m.label.end(), [](const Label& a, const Label& b) { return a.name < b.name; });
  m.gauge.value = 1;
  sink.AddFamily(std::move(f));
}

// A tcp run's series: what blackbox's prober/tcp.go registers. The TLS
// series only after a completed handshake (`tls: true` or STARTTLS), the
// same four either way (Debian's blackbox 0.23 shows them after STARTTLS too).
void AddTcpResultSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                        MetricSink& sink) {
  AddLookupSeries(r, d, base, sink);
  sink.Add(d.failed_due_to_regex, r.failed_due_to_regex ? 1 : 0, base);
  if (!r.expect_info.empty()) {
    AddExpectInfo(r, d, base, sink);
  }
  if (r.tls.version.empty()) {
    return;
  }
  sink.Add(d.ssl_earliest_expiry, r.tls.earliest_cert_expiry, base);
  sink.Add(d.ssl_last_chain_expiry, r.tls.verified ? r.tls.last_chain_expiry : kGoZeroTimeUnix, base);
  sink.Add(d.tls_version, 1, With(base, r.tls.version));
  AddLastChainInfo(r, d, base, sink);
}

// A grpc run's series: what blackbox 0.28's prober/grpc.go registers, and
// the lookup series. The check phase and one
// healthcheck series per serving status once the call was made (blackbox
// returns before it when the name does not resolve); the TLS series only when
// a call over TLS was answered (0.28 registers them only then, from the peer
// of an answered call; 0.23 always showed probe_ssl_earliest_cert_expiry).
void AddGrpcResultSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                         MetricSink& sink) {
  AddLookupSeries(r, d, base, sink);
  sink.Add(d.grpc_duration, r.phases.resolve, With(base, "resolve"));
  if (r.grpc_called) {
    sink.Add(d.grpc_duration, r.phases.Sum() - r.phases.resolve, With(base, "check"));
    const std::optional<long long>& got = r.grpc_serving_status;
    for (std::size_t i = 0; i < kServingStatusNames.size(); ++i) {
      sink.Add(d.grpc_healthcheck, got == static_cast<long long>(i) ? 1 : 0, With(base, kServingStatusNames[i]));
    }
    if (got && (*got < 0 || *got >= static_cast<long long>(kServingStatusNames.size()))) {
      sink.Add(d.grpc_healthcheck, 1, With(base, ServingStatusName(*got)));  // a value the enum lacks, as Go names it
    }
  }
  sink.Add(d.grpc_ssl, r.ssl ? 1 : 0, base);
  sink.Add(d.grpc_status_code, static_cast<double>(r.grpc_status_code), base);
  if (r.ssl && !r.tls.version.empty()) {
    sink.Add(d.ssl_earliest_expiry, r.tls.earliest_cert_expiry, base);
    sink.Add(d.tls_version, 1, With(base, r.tls.version));
    AddLastChainInfo(r, d, base, sink);
  }
}

}  // namespace

void AddResultSeries(const ProbeResult& r, const CheckDescs& d, const std::vector<std::string>& base,
                     MetricSink& sink) {
  if (r.prober == ProberKind::kTcp) {
    return AddTcpResultSeries(r, d, base, sink);
  }
  if (r.prober == ProberKind::kGrpc) {
    return AddGrpcResultSeries(r, d, base, sink);
  }
  if (r.prober == ProberKind::kDns) {
    return AddDnsResultSeries(r, d, base, sink);
  }
  if (r.prober == ProberKind::kIcmp) {
    return AddIcmpResultSeries(r, d, base, sink);
  }
  sink.Add(d.success, r.success ? 1 : 0, base);
  sink.Add(d.duration, r.duration_seconds, base);
  sink.Add(d.timeout, r.timeout_seconds, base);
  sink.Add(d.dns_lookup, r.dns_lookup_seconds, base);
  sink.Add(d.ip_protocol, r.ip_protocol, base);
  if (r.resolved) {
    sink.Add(d.ip_addr_hash, r.ip_addr_hash, base);
  }
  for (int i = 0; i < static_cast<int>(kPhaseNames.size()); ++i) {
    sink.Add(d.phase_duration, PhaseValue(r.phases, i), With(base, kPhaseNames[i]));
  }
  sink.Add(d.status_code, static_cast<double>(r.status_code), base);
  sink.Add(d.http_version, r.http_version, base);
  sink.Add(d.content_length, static_cast<double>(r.content_length), base);
  sink.Add(d.uncompressed_body_length, static_cast<double>(r.uncompressed_body_length), base);
  sink.Add(d.redirects, r.redirects, base);
  sink.Add(d.ssl, r.ssl ? 1 : 0, base);
  sink.Add(d.failed_due_to_regex, r.failed_due_to_regex ? 1 : 0, base);
  if (r.last_modified >= 0) {
    sink.Add(d.last_modified, r.last_modified, base);
  }
  AddTlsSeries(r, d, base, sink);
}

std::string RenderProbeText(const ProbeResult& result) {
  static const CheckDescs kUnlabelled({});
  MetricSink sink;
  AddResultSeries(result, kUnlabelled, {}, sink);
  return SerializeText(sink.TakeFamilies());
}

void AddCheckSeries(const CheckSeries& c, MetricSink& sink) {
  const RunHistory& h = c.history;
  AddResultSeries(h.last(), c.descs, c.label_values, sink);
  AddAggregates(c, sink);
  const CheckDescs& d = c.descs;
  // The check's identity: its name, and its target for a module check (descs.id follows descs.base's order).
  std::vector<std::string> id = {c.name};
  for (std::size_t i = 1; i < d.id.size(); ++i) {
    id.push_back(c.label_values[i]);
  }
  for (int i = 1; i < kFailureReasonCount; ++i) {
    const auto reason = static_cast<FailureReason>(i);
    if (reason == FailureReason::kNotAllowed) {
      continue;  // only ad-hoc /probe targets fail so, and they never reach /metrics
    }
    sink.Add(d.failures, static_cast<double>(h.failures(reason)), With(id, FailureReasonName(reason)));
  }
  for (int i = 0; i < static_cast<int>(kPhaseNames.size()); ++i) {
    sink.Add(d.phase_totals, PhaseValue(h.phase_totals(), i), With(id, kPhaseNames[i]));
  }
  sink.Add(d.last_success, h.last_success_unix(), id);
  sink.Add(d.last_run, h.last_run_unix(), id);
  sink.Add(d.consecutive_failures, static_cast<double>(h.consecutive_failures()), id);
  sink.Add(d.skipped, static_cast<double>(c.skipped), id);
}

void AddSchedulerSeries(const SchedulerSeries& s, MetricSink& sink) {
  sink.Add(kInFlight, s.in_flight);
  sink.AddFamily(
      HistogramFamily("hostwatch_check_schedule_delay_seconds",
                      "Delay between a run's scheduled time and its start (concurrency limit, scheduler lag).", {},
                      ScheduleDelayBuckets(), s.delay_bucket_counts, s.delay_sum, s.delay_count));
}

const std::vector<double>& ScheduleDelayBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
  return kBuckets;
}

}  // namespace hostwatch
