// The `http:` part of a blackbox_exporter module (blackbox 0.28's HTTPProbe
// with Prometheus' HTTP client settings inline), spelled as blackbox spells
// it, so a blackbox.yml http module is used as it is. It becomes an
// HttpCheckConfig: the keys an `http_checks:` entry shares with blackbox are
// read by the same parser (check_config_fields.h); only the keys blackbox has
// and http_checks has not are read here:
//
//   tls_config                 http_checks' tls (probe_ssl_last_chain_info on, as blackbox)
//   no_follow_redirects        blackbox's deprecated inverse of follow_redirects
//   body_file                  the body, read from a file
//   authorization              {type (default Bearer), credentials | credentials_file}
//   bearer_token_file          the bearer token, read from a file
//   http_headers               {Name: {values: [...], secrets: [...], files: [...]}}
//   no_proxy, proxy_from_environment, enable_http2
//
// Files are read when the configuration loads (and on reload), not per run.
// Keys blackbox has and hostwatch does not run (oauth2, CEL body matchers,
// skip_resolve_phase_with_proxy, proxy_connect_header) are refused with the
// reason; unknown keys with the known list and the nearest spelling.
// Defaults are blackbox's: preferred_ip_protocol ip6, ip_protocol_fallback true.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "collectors/checks/check_config.h"
#include "collectors/core/config_reader.h"

namespace hostwatch {

// Parses a module's `http:` mapping (null: all defaults) at path into *out,
// which must hold the defaults of BlackboxHttpDefaults(). Problems go to r with
// their position; never throws.
void ParseHttpModule(ConfigReader& r, const YAML::Node& n, const std::string& path, HttpCheckConfig* out);

// An HttpCheckConfig with blackbox's http module defaults.
HttpCheckConfig BlackboxHttpDefaults();

}  // namespace hostwatch
