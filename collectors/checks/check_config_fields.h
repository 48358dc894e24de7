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

// One key of an HTTP check (http_checks: entries) or of a blackbox http
// module (http/http_module.h): what request to send (method, headers, body,
// credentials, transport) and how to judge the answer (status, versions,
// redirects, TLS use, body and headers). Each returns false, touching nothing,
// when key is not one of its keys; the caller's key list decides which keys
// reach it, so both sections share one parser per key.
bool ParseHttpRequestKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                         HttpCheckConfig* c);
bool ParseHttpValidationKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                            HttpCheckConfig* c);

// The contents of a file a configuration names (body_file, password_file,
// credentials_file, bearer_token_file, http_headers files), read when the
// configuration loads: at most kMaxConfigFileBytes, a regular file only.
// False with an error at n ("cannot read the file: <why>") otherwise.
constexpr std::size_t kMaxConfigFileBytes = 1u << 20;
bool ReadConfigFile(ConfigReader& r, const YAML::Node& n, const std::string& path, std::string* out);

// tls: {ca_file, cert_file, key_file, server_name, insecure_skip_verify, export_chain_info, min_version}.
// Files must be readable now, so a typo fails the load rather than every probe.
void ParseCheckTls(ConfigReader& r, const YAML::Node& n, const std::string& path, CheckTlsConfig* tls);

// basic_auth: {username, password, password_file}; username is required; the
// file's content, trimmed of surrounding white space as Prometheus does, is the password.
void ParseCheckBasicAuth(ConfigReader& r, const YAML::Node& n, const std::string& path, std::optional<BasicAuth>* out);

// authorization: {type, credentials, credentials_file} (Prometheus' HTTP client key): appends the
// header "Authorization: <type> <credentials>" (type Bearer unless given; never Basic, use basic_auth).
void ParseAuthorization(ConfigReader& r, const YAML::Node& n, const std::string& path,
                        std::vector<std::pair<std::string, std::string>>* headers);

// fail_if_header_[not_]matches: a list of {header, regexp, allow_missing}.
void ParseHeaderMatches(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<HeaderMatch>* out);

// A list of regexes (fail_if_body_[not_]matches_regexp).
void ParseRegexList(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<CheckRegex>* out);

// valid_status_codes: a list of 100-599 or "1xx".."5xx".
void ParseStatusCodes(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<StatusRange>* out);

// A label name a user may set: [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (Prometheus reserves those).
bool IsValidLabelName(const std::string& s);
// "" when name is a valid Prometheus label name that our own series do not
// use, else why not ("invalid label name", "label name is reserved").
std::string LabelNameProblem(const std::string& name);

// labels: valid Prometheus label names that our own series do not use. With
// drop_internal, names starting with "__" are skipped instead of refused (a
// file_sd file's labels: Prometheus drops them after relabelling).
void ParseCheckLabels(ConfigReader& r, const YAML::Node& n, const std::string& path,
                      std::map<std::string, std::string>* out, bool drop_internal = false);

// redact_query_params: a list of non-empty parameter names, kept as written (compared ignoring case).
void ParseRedactQueryParams(ConfigReader& r, const YAML::Node& n, const std::string& path,
                            std::vector<std::string>* out);

// latency_buckets: a non-empty, strictly increasing list of finite numbers.
bool ParseLatencyBuckets(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<double>* out);

// blackbox's address keys of a prober module (tcp, dns, icmp): preferred_ip_protocol (ip4 or ip6),
// ip_protocol_fallback, source_ip_address (an IP address). False when key is none of them.
bool ParseAddressKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                     std::string* preferred_ip_protocol, bool* ip_protocol_fallback, std::string* source_ip_address);
// Empty when url is an absolute http(s) URL with a host, else why not.
std::string HttpUrlProblem(const std::string& url);

// An absolute http(s) URL with a host (url; proxy_url, which may be empty); the check loads libcurl.
void ParseHttpUrl(ConfigReader& r, const YAML::Node& n, const std::string& path, bool allow_empty, std::string* out);

}  // namespace hostwatch
