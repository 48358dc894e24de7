// The checks' series on /metrics and a probe's blackbox exposition on /probe,
// written to a MetricSink.
//
// A check's series carry its labels (check, target, then its static labels),
// so each distinct set of label names has its own descriptors (CheckDescs),
// built once per configuration and shared by the checks that have that set.
// Pure functions of their arguments; descriptors are immutable after
// construction and may be shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collectors/checks/dns/dns_metrics.h"
#include "collectors/checks/http/probe_result.h"
#include "collectors/checks/icmp/icmp_series.h"
#include "collectors/checks/run_history.h"
#include "collectors/core/metric_sink.h"

namespace hostwatch {

// Descriptors of the per-check families whose labels are a check's own: the
// blackbox result families and the two probe_all_* aggregates, and of the
// hostwatch_check_* families, labelled with the check's identity: {check} for
// an HTTP check (unique names), {check, target} for a module check (one
// module, several targets).
struct CheckDescs {
  // base_label_names: the labels every series of these checks starts with
  // (check, target, static labels); id_label_names: its first one or two.
  explicit CheckDescs(std::vector<std::string> base_label_names, std::vector<std::string> id_label_names = {"check"});

  std::vector<std::string> base;
  std::vector<std::string> id;
  MetricDesc success, duration, timeout, dns_lookup, ip_protocol, ip_addr_hash, phase_duration, status_code,
      http_version, content_length, uncompressed_body_length, redirects, ssl, failed_due_to_regex, last_modified,
      ssl_earliest_expiry, ssl_last_chain_expiry, ssl_last_chain_info, tls_version, tls_cipher;
  MetricDesc grpc_duration, grpc_ssl, grpc_status_code, grpc_healthcheck;  // grpc module checks
  DnsDescs dns;  // the dns prober's own families
  MetricDesc failures, phase_totals, last_success, last_run, consecutive_failures, skipped;
  IcmpDescs icmp;
};

// The blackbox_exporter series of one result, with blackbox's names and HELP
// texts; label_values match descs.base.
void AddResultSeries(const ProbeResult& result, const CheckDescs& descs, const std::vector<std::string>& label_values,
                     MetricSink& sink);

// blackbox /probe exposition for one result (families sorted, blackbox HELP texts, no labels).
std::string RenderProbeText(const ProbeResult& result);

// Everything /metrics shows for one check that has completed a run: its last
// result (AddResultSeries), its probe_all_* aggregates and its hostwatch_check_* counters.
struct CheckSeries {
  const std::string& name;
  const CheckDescs& descs;
  const std::vector<std::string>& label_values;  // match descs.base
  const RunHistory& history;
  std::uint64_t skipped = 0;  // runs skipped by the scheduler
};
void AddCheckSeries(const CheckSeries& check, MetricSink& sink);

// The scheduler's own series.
struct SchedulerSeries {
  int in_flight = 0;
  const std::vector<std::uint64_t>& delay_bucket_counts;  // per bound of ScheduleDelayBuckets(), then +Inf
  double delay_sum = 0;
  std::uint64_t delay_count = 0;
};
void AddSchedulerSeries(const SchedulerSeries& scheduler, MetricSink& sink);

// Upper bounds of hostwatch_check_schedule_delay_seconds (without +Inf).
const std::vector<double>& ScheduleDelayBuckets();

}  // namespace hostwatch
