// The blocks of one http_checks entry that have a shape of their own (tls,
// basic_auth, header matches, status codes, labels, URLs, sizes, buckets),
// read with the shared ConfigReader. Internal to check_config.cpp, which owns
// the section's layout; split out so each file does one job.
//
// Every function reports problems through the reader (file:line:column: key:
// reason) and never throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/core/config_reader.h"

namespace hostwatch {

// tls: {ca_file, cert_file, key_file, server_name, insecure_skip_verify, export_chain_info, min_version}.
// Files must be readable now, so a typo fails the load rather than every probe.
void ParseCheckTls(ConfigReader& r, const YAML::Node& n, const std::string& path, CheckTlsConfig* tls);

// basic_auth: {username, password}; username is required.
void ParseCheckBasicAuth(ConfigReader& r, const YAML::Node& n, const std::string& path, std::optional<BasicAuth>* out);

// fail_if_header_[not_]matches: a list of {header, regexp, allow_missing}.
void ParseHeaderMatches(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<HeaderMatch>* out);

// A list of regexes (fail_if_body_[not_]matches_regexp).
void ParseRegexList(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<CheckRegex>* out);

// valid_status_codes: a list of 100-599 or "1xx".."5xx".
void ParseStatusCodes(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<StatusRange>* out);

// labels: valid Prometheus label names that our own series do not use.
void ParseCheckLabels(ConfigReader& r, const YAML::Node& n, const std::string& path,
                      std::map<std::string, std::string>* out);

// redact_query_params: a list of non-empty parameter names, kept as written (compared ignoring case).
void ParseRedactQueryParams(ConfigReader& r, const YAML::Node& n, const std::string& path,
                            std::vector<std::string>* out);

// latency_buckets: a non-empty, strictly increasing list of finite numbers.
bool ParseLatencyBuckets(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<double>* out);

// blackbox's address keys of a prober module (tcp, dns, icmp): preferred_ip_protocol (ip4 or ip6),
// ip_protocol_fallback, source_ip_address (an IP address). False when key is none of them.
bool ParseAddressKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                     std::string* preferred_ip_protocol, bool* ip_protocol_fallback, std::string* source_ip_address);

// An absolute http(s) URL with a host (url; proxy_url, which may be empty); the check loads libcurl.
void ParseHttpUrl(ConfigReader& r, const YAML::Node& n, const std::string& path, bool allow_empty, std::string* out);

}  // namespace hostwatch
