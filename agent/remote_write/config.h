// The `remote_write:` section: the agent gathers its own /metrics content every
// `interval` and pushes it to each endpoint (Prometheus Remote-Write 1.0).
//
//   remote_write:
//     interval: 15s
//     external_labels: {instance: web-1, cluster: eu-1}
//     buffer: {directory: /var/lib/hostwatch/remote_write, max_bytes: 256MiB}
//     endpoints:
//       - url: https://mimir.example/api/v1/push   # then Prometheus' own remote_write keys
//         name: mimir
//         basic_auth: {...} | authorization: {...}
//         tls_config: {...}  headers: {...}  proxy_url: ...  remote_timeout: 30s
//         queue_config: {capacity, max_samples_per_send, batch_send_deadline, min_backoff, max_backoff}
//         write_relabel_configs: [...]   # relabel.h
//
// An endpoint entry takes the keys of an entry of prometheus.yml's remote_write
// list, so one can be pasted; the keys hostwatch does not implement are refused
// by name with the reason, never ignored. The blocks Prometheus' HTTP client
// shares with blackbox (tls_config, basic_auth, authorization, proxy_url) are
// read by the checks' parsers (collectors/checks/check_config_fields.h): one
// way to read each. Defaults are Prometheus 2.42's.
//
// Pure function of its input (plus the files it names: password_file,
// credentials_file, tls files are read/checked at load). Never throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/remote_write/labels.h"
#include "agent/remote_write/relabel.h"
#include "collectors/checks/check_config.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch::remote_write {

// Prometheus' queue_config, minus the shard keys (hostwatch sends on one connection per endpoint).
struct QueueConfig {
  // Accepted so that a prometheus.yml entry pastes; bounds nothing here: the queue is the disk log,
  // bounded by buffer.max_bytes, and one gather at a time is held in memory (docs/remote-write.md).
  int capacity = 2500;
  int max_samples_per_send = 500;  // samples per request at most
  // Upper bound on how long a partial batch waits; a gather is sent as soon as it is logged, so none waits.
  std::chrono::milliseconds batch_send_deadline{5000};
  std::chrono::milliseconds min_backoff{30};            // first retry delay; doubles per retry
  std::chrono::milliseconds max_backoff{5000};          // retry delay ceiling
};

struct Endpoint {
  std::string url;   // http(s); the `url` label of the self metrics
  std::string name;  // the `remote_name` label; unique; default: 6 hex digits of the url's hash
  std::optional<BasicAuth> basic_auth;                       // password: secret, never logged
  std::vector<std::pair<std::string, std::string>> headers;  // headers: then authorization's; secrets
  CheckTlsConfig tls;
  std::string proxy_url;
  QueueConfig queue;
  std::chrono::milliseconds remote_timeout{30000};  // one request's whole time
  // Applied when a batch is cut for this endpoint (the log holds each gather once for all of them),
  // after external labels were added, as Prometheus does.
  std::vector<RelabelRule> write_relabel_configs;
};

struct RemoteWriteConfig {
  bool enabled = false;  // the section is present (with at least one endpoint)
  std::chrono::milliseconds interval{15000};
  Labels external_labels;  // sorted by name; never `__name__`
  std::string buffer_directory = "/var/lib/hostwatch/remote_write";
  std::int64_t buffer_max_bytes = 256ll << 20;
  std::vector<Endpoint> endpoints;
};

// Parses and validates the `remote_write:` node (undefined or null: disabled).
// Every problem goes to *diag at its position; the result is meaningful only when diag->ok().
RemoteWriteConfig ParseRemoteWriteConfig(const YAML::Node& section, ConfigDiagnostics* diag);

}  // namespace hostwatch::remote_write
