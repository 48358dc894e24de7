#include "collectors/checks/http/http_module.h"

#include <map>
#include <utility>
#include <vector>

#include "collectors/checks/check_config_fields.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// blackbox keys hostwatch refuses, and why (a module that relied on them would probe something else).
const std::map<std::string_view, std::string_view>& RefusedKeys() {
  static const std::map<std::string_view, std::string_view> kRefused = {
      {"oauth2", "not supported (use authorization, bearer_token_file or basic_auth)"},
      {"fail_if_body_json_matches_cel", "not supported (CEL expressions); use fail_if_body_matches_regexp"},
      {"fail_if_body_json_not_matches_cel", "not supported (CEL expressions); use fail_if_body_not_matches_regexp"},
      {"skip_resolve_phase_with_proxy", "not supported: hostwatch has no separate resolve phase to skip"},
      {"proxy_connect_header", "not supported (headers for the proxy's CONNECT)"},
  };
  return kRefused;
}

// blackbox's http keys, as its documentation lists them, then the refused ones.
const std::vector<std::string_view>& ModuleKeys() {
  static const std::vector<std::string_view> kKeys = [] {
    std::vector<std::string_view> keys = {
        "valid_status_codes", "valid_http_versions", "preferred_ip_protocol", "ip_protocol_fallback",
        "no_follow_redirects", "follow_redirects", "fail_if_ssl", "fail_if_not_ssl", "method", "headers",
        "fail_if_body_matches_regexp", "fail_if_body_not_matches_regexp", "fail_if_header_matches",
        "fail_if_header_not_matches", "body", "body_file", "compression", "body_size_limit", "tls_config",
        "basic_auth", "authorization", "bearer_token", "bearer_token_file", "proxy_url", "no_proxy",
        "proxy_from_environment", "enable_http2", "http_headers"};
    for (const auto& [key, why] : RefusedKeys()) {
      keys.push_back(key);
    }
    return keys;
  }();
  return kKeys;
}

// A secret read from a file, trimmed as Prometheus trims password_file and credentials_file.
bool ReadSecretFile(ConfigReader& r, const YAML::Node& v, const std::string& p, std::string* out) {
  std::string text;
  if (!ReadConfigFile(r, v, p, &text)) {
    return false;
  }
  *out = std::string(TrimSpace(text));
  return true;
}

}  // namespace

void ParseAuthorization(ConfigReader& r, const YAML::Node& n, const std::string& path,
                        std::vector<std::pair<std::string, std::string>>* headers) {
  std::string type = "Bearer", credentials;
  r.Fields(n, path, {"type", "credentials", "credentials_file"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "type") {
               if (r.String(v, p, &type) && (type.empty() || AsciiToLower(type) == "basic")) {
                 r.Error(v, p, "must not be empty or Basic (use basic_auth)");
               }
             } else if (key == "credentials") {
               r.String(v, p, &credentials);
             } else {
               ReadSecretFile(r, v, p, &credentials);
             }
           });
  if (n.IsMap() && n["credentials"] && n["credentials_file"]) {
    r.Error(n, path, "at most one of credentials and credentials_file may be set");
  }
  headers->emplace_back("Authorization", type + " " + credentials);
}

namespace {

// http_headers: {Name: {values: [..], secrets: [..], files: [..]}}: one header line per value.
void ParseHttpHeaders(ConfigReader& r, const YAML::Node& n, const std::string& path, HttpCheckConfig* c) {
  r.Entries(n, path, [&](const std::string& name, const YAML::Node& key_node, const YAML::Node& v,
                         const std::string& p) {
    if (name.empty()) {
      r.Error(key_node, p, "a header needs a name");
      return;
    }
    r.Fields(v, p, {"values", "secrets", "files"}, [&](const std::string& key, const YAML::Node& list,
                                                       const std::string& lp) {
      r.Items(list, lp, [&](const YAML::Node& item, const std::string& ip) {
        std::string value;
        if (key == "files" ? ReadSecretFile(r, item, ip, &value) : r.String(item, ip, &value)) {
          c->headers.emplace_back(name, value);
        }
      });
    });
  });
}

// The keys an http_checks entry does not have. False when key is not one of them.
bool ParseBlackboxOnlyKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                          HttpCheckConfig* c) {
  if (key == "tls_config") {
    ParseCheckTls(r, v, p, &c->tls);
  } else if (key == "no_follow_redirects") {
    bool no_follow = false;
    if (r.Bool(v, p, &no_follow)) {
      c->follow_redirects = !no_follow;
    }
  } else if (key == "body_file") {
    ReadConfigFile(r, v, p, &c->body);
  } else if (key == "authorization") {
    ParseAuthorization(r, v, p, &c->headers);
  } else if (key == "bearer_token_file") {
    ReadSecretFile(r, v, p, &c->bearer_token);
  } else if (key == "http_headers") {
    ParseHttpHeaders(r, v, p, c);
  } else if (key == "no_proxy") {
    r.String(v, p, &c->no_proxy);
  } else if (key == "proxy_from_environment") {
    r.Bool(v, p, &c->proxy_from_environment);
  } else if (key == "enable_http2") {
    r.Bool(v, p, &c->enable_http2);
  } else if (auto refused = RefusedKeys().find(key); refused != RefusedKeys().end()) {
    r.Error(v, p, std::string(refused->second));
  } else {
    return false;
  }
  return true;
}

// Prometheus' HTTP client rules: one way to authenticate, one body.
void ValidateModule(ConfigReader& r, const YAML::Node& n, const std::string& path, const HttpCheckConfig& c) {
  if (!n.IsMap()) {
    return;
  }
  int auth = 0;
  for (const char* key : {"basic_auth", "authorization", "bearer_token", "bearer_token_file", "oauth2"}) {
    auth += n[key] ? 1 : 0;
  }
  if (auth > 1) {
    r.Error(n, path, "at most one of basic_auth, authorization, bearer_token and bearer_token_file may be set");
  }
  if (n["body"] && n["body_file"]) {
    r.Error(n, path, "at most one of body and body_file may be set");
  }
  if (!c.proxy_url.empty() && c.proxy_from_environment) {
    r.Error(n, path, "proxy_url and proxy_from_environment: true cannot both be set");
  }
  if (c.fail_if_ssl && c.fail_if_not_ssl) {
    r.Error(n, path, "fail_if_ssl and fail_if_not_ssl cannot both be true");
  }
}

}  // namespace

HttpCheckConfig BlackboxHttpDefaults() {
  HttpCheckConfig c;
  c.preferred_ip_protocol = "ip6";
  c.ip_protocol_fallback = true;
  c.tls.export_chain_info = true;  // blackbox always exports probe_ssl_last_chain_info
  return c;
}

void ParseHttpModule(ConfigReader& r, const YAML::Node& n, const std::string& path, HttpCheckConfig* out) {
  r.Fields(n, path, ModuleKeys(), [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (!ParseBlackboxOnlyKey(r, key, v, p, out) && !ParseHttpRequestKey(r, key, v, p, out)) {
      ParseHttpValidationKey(r, key, v, p, out);
    }
  });
  ValidateModule(r, n, path, *out);
}

}  // namespace hostwatch
