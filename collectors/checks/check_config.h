// HTTP check configuration: the `http_checks:` section of the config file,
// parsed and validated into plain structs.
//
// Keys follow blackbox_exporter's `http` module wherever blackbox has one, so
// existing knowledge carries over; extensions are `"2xx"`-style status ranges,
// `max_redirects`, `follow_redirects_keep_headers`, `redact_query_params`,
// per-check `interval`/`timeout`/`jitter`/`latency_buckets` and static `labels`.
//
// Value types, copyable; built on the control path and read-only afterwards.
#pragma once

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/checks/target_policy.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// A compiled RE2 with the pattern it came from (shared: RE2 is immutable and thread-safe).
struct CheckRegex {
  std::string pattern;
  std::shared_ptr<const re2::RE2> re;
};

struct HeaderMatch {
  std::string header;  // compared case-insensitively
  CheckRegex regexp;
  bool allow_missing = false;
};

// Inclusive status code range; "2xx" is {200, 299}, 404 is {404, 404}.
struct StatusRange {
  int low = 0;
  int high = 0;
};

struct CheckTlsConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;  // overrides SNI and certificate name verification
  bool insecure_skip_verify = false;
  std::string min_version;  // "", "TLS10", "TLS11", "TLS12", "TLS13"
  // probe_ssl_last_chain_info (blackbox's leaf-certificate series). Off by default: its four
  // high-entropy labels start a new series on every certificate renewal.
  bool export_chain_info = false;
};

struct BasicAuth {
  std::string username;
  std::string password;  // secret: never logged
};

struct HttpCheckConfig {
  std::string name;  // unique; the `check` label
  std::string url;   // http:// or https://; the `target` label
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // values may hold secrets: never logged
  std::string body;
  std::optional<BasicAuth> basic_auth;
  std::string bearer_token;  // secret: never logged

  std::vector<StatusRange> valid_status_codes;   // empty means 200-299, as in blackbox
  std::vector<std::string> valid_http_versions;  // "HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3.0"; empty = any
  bool follow_redirects = true;
  int max_redirects = 10;
  // Send headers, basic_auth and bearer_token on a redirect to another origin (scheme, host or
  // port) too. Off: such a hop gets none of them, as curl and browsers do for credentials.
  bool follow_redirects_keep_headers = false;
  bool fail_if_ssl = false;
  bool fail_if_not_ssl = false;
  std::vector<CheckRegex> fail_if_body_matches_regexp;
  std::vector<CheckRegex> fail_if_body_not_matches_regexp;
  std::vector<HeaderMatch> fail_if_header_matches;
  std::vector<HeaderMatch> fail_if_header_not_matches;
  CheckTlsConfig tls;
  std::string preferred_ip_protocol = "ip4";  // blackbox defaults to ip6; ip4 breaks fewer hosts
  bool ip_protocol_fallback = true;
  std::int64_t body_size_limit = 0;  // bytes after decoding; 0 = no limit
  std::string compression;           // "", "gzip", "br", "deflate", "identity"
  std::string proxy_url;
  // blackbox http module keys (http/http_module.h); http_checks keep the defaults.
  std::string no_proxy;                 // hosts that bypass proxy_url (libcurl's NOPROXY list)
  bool proxy_from_environment = false;  // no proxy_url: use http_proxy/https_proxy/no_proxy
  bool enable_http2 = true;             // false: HTTP/1.1 only (true offers h2 by ALPN over TLS)
  std::map<std::string, std::string> labels;  // static, added to every series of this check
  // Query parameter names whose values are shown as "xxxxx", besides DefaultSecretQueryParams()
  // (redact_url.h); only what is shown is redacted, never the URL requested.
  std::vector<std::string> redact_query_params;

  std::chrono::milliseconds interval{60000};
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds jitter{0};
  std::vector<double> latency_buckets;  // probe_all_duration_seconds buckets, strictly increasing

  // Canonical text of everything above; two checks with the same name and
  // fingerprint are the same check across a reload (state is kept).
  std::string fingerprint;
};

struct CheckSpec;          // check_spec.h
struct CheckModule;        // module_checks.h
struct TargetsFilesEntry;  // module_checks.h

struct HttpChecksConfig {
  int max_concurrency = 16;
  int history_size = 20;  // results kept per check for /probe?debug=true and the status page
  std::vector<HttpCheckConfig> checks;
  ProbeTargetsConfig probe_targets;  // /probe?module=<check>&target=<url>; off by default
  // One per (module, target) of the `checks:` section (module_checks.h); the
  // checker schedules them with the HTTP checks.
  std::vector<std::shared_ptr<const CheckSpec>> module_checks;
  // Every module of `modules:` (and modules_file:), by name: /probe probes any of them ad hoc.
  std::map<std::string, std::shared_ptr<const CheckModule>> modules;
  // The `checks:` entries with targets_files; the agent's TargetsFiles turns their files into checks.
  std::vector<std::shared_ptr<const TargetsFilesEntry>> targets_files;
};

// Default probe_all_duration_seconds buckets (Grafana synthetic monitoring's).
const std::vector<double>& DefaultLatencyBuckets();

// Parses and validates the `http_checks:` node. Every problem is added to
// *diag with its position (unknown keys, wrong types, bad durations, regexes,
// status codes, duplicate names, timeout >= interval, ...); the returned value
// is meaningful only when diag->ok(). A null/undefined node yields the
// defaults with no checks. Never throws.
HttpChecksConfig ParseHttpChecksConfig(const YAML::Node& http_checks_section, ConfigDiagnostics* diag);

// Parses a size such as 1024, "512KB", "1MiB", "10MB" (all units base 2, as
// blackbox's units.Base2Bytes). Returns -1 on error.
std::int64_t ParseByteSize(const std::string& text);

// Parses one valid_status_codes entry: an integer 100-599 or "1xx".."5xx".
std::optional<StatusRange> ParseStatusRange(const std::string& text);

}  // namespace hostwatch
