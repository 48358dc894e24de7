// WebConfig: the --web.config.file, in the format of Prometheus' exporter-toolkit
// (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md),
// so a file written for node_exporter works unchanged:
//
//   tls_server_config:
//     cert_file: server.crt          # relative paths are relative to this file's directory
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert
//     client_ca_file: clients-ca.crt
//     min_version: TLS12             # TLS12 or TLS13 (TLS10, TLS11: an error, never offered)
//     max_version: TLS13
//     cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]   # Go names; TLS 1.2 and below only
//     curve_preferences: [X25519, CurveP256]
//     prefer_server_cipher_suites: true
//   http_server_config:
//     headers: {Strict-Transport-Security: max-age=31536000}
//   basic_auth_users:
//     alice: $2y$10$...              # bcrypt
//   unauthenticated_paths: ["/-/healthy"]   # hostwatch extension (default shown); [] = auth everywhere
//
// Parsing is pure (no file access besides the explicit Load function) and
// never touches OpenSSL: tls_material.h turns a TlsServerConfig into keys.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/core/status.h"

namespace hostwatch {

// exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType names).
enum class ClientAuthType {
  kNoClientCert,                // no certificate requested
  kRequestClientCert,           // requested, not required, not verified
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // requested; verified against client_ca_file when sent
  kRequireAndVerifyClientCert,  // required and verified against client_ca_file
};

// TLS protocol versions as on the wire (OpenSSL's TLS1_2_VERSION etc. have these values).
inline constexpr int kTls10 = 0x0301;
inline constexpr int kTls11 = 0x0302;
inline constexpr int kTls12 = 0x0303;
inline constexpr int kTls13 = 0x0304;

struct TlsServerConfig {
  std::string cert_file;  // PEM certificate (chain); absolute after parsing
  std::string key_file;   // PEM private key; absolute after parsing
  ClientAuthType client_auth = ClientAuthType::kNoClientCert;
  std::string client_ca_file;  // PEM CA bundle for client certificates; "" = none
  int min_version = kTls12;    // exporter-toolkit's default
  int max_version = kTls13;
  // OpenSSL cipher names for TLS 1.2 and below, translated from Go's names; empty = OpenSSL's defaults.
  // (Like Go, TLS 1.3 suites are not configurable.)
  std::vector<std::string> cipher_suites;
  std::vector<std::string> curve_groups;  // OpenSSL group names ("X25519", "P-256"); empty = defaults
  bool prefer_server_cipher_suites = true;
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;                        // absent = plain HTTP
  std::vector<std::pair<std::string, std::string>> headers;  // added to every response
  std::map<std::string, std::string> basic_auth_users;       // user -> bcrypt hash; empty = no auth
  // Paths served without authentication even when users are set.
  std::vector<std::string> unauthenticated_paths = {"/-/healthy"};
};

// Parses the YAML text of a web config file. file_name is used in error messages
// ("file:line:column: key: reason", every problem listed) and to resolve relative
// certificate paths (against its directory). Unknown keys are errors, as in
// exporter-toolkit. Unlike exporter-toolkit, a text that sets nothing (empty, only
// whitespace or comments, or a null document) is an error, since that is also what a
// file caught mid-write looks like; `{}` is the way to say "no TLS, no auth". So are
// min_version/max_version below TLS12, which the server never offers. Never throws.
Result<WebConfig> ParseWebConfig(std::string_view yaml_text, const std::string& file_name);

// Reads and parses the file. Error when it cannot be read or is invalid.
Result<WebConfig> LoadWebConfigFile(const std::string& path);

// "TLS12" -> kTls12; error for anything else.
Result<int> ParseTlsVersion(std::string_view name);

// Go's cipher suite name (e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") -> OpenSSL's
// ("ECDHE-RSA-AES128-GCM-SHA256"); error for names Go does not offer for TLS 1.0-1.2.
Result<std::string> GoCipherSuiteToOpenSsl(std::string_view go_name);

}  // namespace hostwatch
