// CheckSpec: what the scheduler, the run history, the metrics and /probe need
// to know of one scheduled check, whatever its prober: a check is a module (its
// prober's settings) and a target. HTTP checks from `http_checks:` are one
// (check, URL) each; a `checks:` entry gives one per target of its module.
//
// Immutable once built; shared between the scheduler and the runs in flight.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/checks/prober_kind.h"

namespace hostwatch {

struct TcpModule;   // collectors/checks/tcp/tcp_module.h
struct GrpcModule;  // collectors/checks/grpc/grpc_module.h
struct DnsModule;   // collectors/checks/dns/dns_module.h
struct IcmpModule;  // collectors/checks/icmp/icmp_module.h

struct CheckSpec {
  ProberKind prober = ProberKind::kHttp;
  // From a `checks:` entry (module_checks.h): keyed by (module, target), as a module has several targets.
  bool from_module = false;
  std::string name;    // the `check` label and /probe's module: the HTTP check's name, or the module's
  std::string target;  // the `target` label as shown (an HTTP URL with its secrets redacted)
  std::chrono::milliseconds interval{60000};
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds jitter{0};
  std::vector<double> latency_buckets;
  std::map<std::string, std::string> labels;  // static labels added to every series
  // Canonical text of everything that defines the check; same name, target and
  // fingerprint across a reload is the same check (its state is kept).
  std::string fingerprint;

  std::shared_ptr<const HttpCheckConfig> http;  // prober == kHttp
  std::shared_ptr<const TcpModule> tcp;         // prober == kTcp
  std::shared_ptr<const GrpcModule> grpc;       // prober == kGrpc
  std::shared_ptr<const DnsModule> dns;         // prober == kDns
  std::shared_ptr<const IcmpModule> icmp;       // prober == kIcmp
};

// How the checker knows a check: (name, target). An `http_checks:` check has a
// unique name and is known as (name, ""); a module check (whatever its prober) as (module, target).
using CheckKey = std::pair<std::string, std::string>;
CheckKey KeyOf(const CheckSpec& spec);

// The spec of an `http_checks:` check (target: its URL, redacted as everywhere it is shown).
std::shared_ptr<const CheckSpec> HttpCheckSpec(std::shared_ptr<const HttpCheckConfig> config);

}  // namespace hostwatch
