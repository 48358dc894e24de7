#include "collectors/checks/check_config.h"

#include "collectors/checks/check_config_fields.h"
#include "collectors/core/collector_options.h"
#include "collectors/core/config_reader.h"

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxConcurrencyLimit = 10000;
constexpr int kMaxHistorySize = 1000;
constexpr int kMaxRedirectsLimit = 100;

bool IsHttpToken(const std::string& s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

struct Defaults {
  milliseconds interval{60000};
  milliseconds timeout{10000};
  milliseconds jitter{0};
  std::vector<double> latency_buckets = DefaultLatencyBuckets();
};

// interval, timeout, jitter and latency_buckets: in `defaults:` and in each check.
const std::vector<std::string_view> kScheduleKeys = {"interval", "timeout", "jitter", "latency_buckets"};

void ParseScheduleKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                      milliseconds* interval, milliseconds* timeout, milliseconds* jitter,
                      std::vector<double>* buckets) {
  if (key == "interval") {
    r.Duration(v, p, interval);
  } else if (key == "timeout") {
    r.Duration(v, p, timeout);
  } else if (key == "jitter") {
    r.Duration(v, p, jitter);
  } else if (key == "latency_buckets") {
    ParseLatencyBuckets(r, v, p, buckets);
  }
}

void ParseDefaults(ConfigReader& r, const YAML::Node& n, const std::string& path, Defaults* d) {
  r.Fields(n, path, kScheduleKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    ParseScheduleKey(r, key, v, p, &d->interval, &d->timeout, &d->jitter, &d->latency_buckets);
  });
}

}  // namespace

bool ParseHttpRequestKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                     HttpCheckConfig* c) {
  if (key == "name") {
    if (r.String(v, p, &c->name) && c->name.empty()) {
      r.Error(v, p, "must not be empty");
    }
  } else if (key == "url") {
    ParseHttpUrl(r, v, p, /*allow_empty=*/false, &c->url);
  } else if (key == "method") {
    if (r.String(v, p, &c->method) && !IsHttpToken(c->method)) {
      r.Error(v, p, "must be an HTTP method such as GET");
    }
  } else if (key == "headers") {
    r.StringMap(v, p, &c->headers);
  } else if (key == "body") {
    r.String(v, p, &c->body);
  } else if (key == "basic_auth") {
    ParseCheckBasicAuth(r, v, p, &c->basic_auth);
  } else if (key == "bearer_token") {
    r.String(v, p, &c->bearer_token);
  } else if (key == "tls") {
    ParseCheckTls(r, v, p, &c->tls);
  } else if (key == "preferred_ip_protocol") {
    r.OneOf(v, p, {"ip4", "ip6"}, &c->preferred_ip_protocol);
  } else if (key == "ip_protocol_fallback") {
    r.Bool(v, p, &c->ip_protocol_fallback);
  } else if (key == "compression") {
    if (r.String(v, p, &c->compression) && !c->compression.empty()) {
      r.OneOf(v, p, {"gzip", "br", "deflate", "identity"}, &c->compression);
    }
  } else if (key == "proxy_url") {
    ParseHttpUrl(r, v, p, /*allow_empty=*/true, &c->proxy_url);
  } else if (key == "labels") {
    ParseCheckLabels(r, v, p, &c->labels);
  } else if (key == "redact_query_params") {
    ParseRedactQueryParams(r, v, p, &c->redact_query_params);
  } else {
    return false;
  }
  return true;
}

bool ParseHttpValidationKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                        HttpCheckConfig* c) {
  if (key == "valid_status_codes") {
    ParseStatusCodes(r, v, p, &c->valid_status_codes);
  } else if (key == "valid_http_versions") {
    r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
      std::string version;
      if (r.OneOf(item, ip, {"HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3.0"}, &version)) {
        c->valid_http_versions.push_back(version);
      }
    });
  } else if (key == "follow_redirects") {
    r.Bool(v, p, &c->follow_redirects);
  } else if (key == "max_redirects") {
    r.Int(v, p, 0, kMaxRedirectsLimit, &c->max_redirects);
  } else if (key == "follow_redirects_keep_headers") {
    r.Bool(v, p, &c->follow_redirects_keep_headers);
  } else if (key == "fail_if_ssl") {
    r.Bool(v, p, &c->fail_if_ssl);
  } else if (key == "fail_if_not_ssl") {
    r.Bool(v, p, &c->fail_if_not_ssl);
  } else if (key == "fail_if_body_matches_regexp") {
    ParseRegexList(r, v, p, &c->fail_if_body_matches_regexp);
  } else if (key == "fail_if_body_not_matches_regexp") {
    ParseRegexList(r, v, p, &c->fail_if_body_not_matches_regexp);
  } else if (key == "fail_if_header_matches") {
    ParseHeaderMatches(r, v, p, &c->fail_if_header_matches);
  } else if (key == "fail_if_header_not_matches") {
    ParseHeaderMatches(r, v, p, &c->fail_if_header_not_matches);
  } else if (key == "body_size_limit") {
    std::string text;
    if (r.String(v, p, &text)) {
      c->body_size_limit = ParseByteSize(text);
      if (c->body_size_limit < 0) {
        r.Error(v, p, "must be a size such as 1048576, 512KB or 1MiB");
      }
    }
  } else {
    return false;
  }
  return true;
}

namespace {

// Every key a check may have, in the order the documentation lists them.
const std::vector<std::string_view>& CheckKeys() {
  static const std::vector<std::string_view> kKeys = [] {
    std::vector<std::string_view> keys = {"name",
                                          "url",
                                          "method",
                                          "headers",
                                          "body",
                                          "basic_auth",
                                          "bearer_token",
                                          "tls",
                                          "preferred_ip_protocol",
                                          "ip_protocol_fallback",
                                          "compression",
                                          "proxy_url",
                                          "labels",
                                          "redact_query_params",
                                          "valid_status_codes",
                                          "valid_http_versions",
                                          "follow_redirects",
                                          "max_redirects",
                                          "follow_redirects_keep_headers",
                                          "fail_if_ssl",
                                          "fail_if_not_ssl",
                                          "fail_if_body_matches_regexp",
                                          "fail_if_body_not_matches_regexp",
                                          "fail_if_header_matches",
                                          "fail_if_header_not_matches",
                                          "body_size_limit"};
    keys.insert(keys.end(), kScheduleKeys.begin(), kScheduleKeys.end());
    return keys;
  }();
  return kKeys;
}

// Parses one check's keys into c; *seen gets each key's value node (for the
// positions of cross-key errors).
void ParseCheckKeys(ConfigReader& r, const YAML::Node& n, const std::string& path, HttpCheckConfig* c,
                    std::map<std::string, YAML::Node>* seen) {
  r.Fields(n, path, CheckKeys(), [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    (*seen)[key] = v;
    if (!ParseHttpRequestKey(r, key, v, p, c) && !ParseHttpValidationKey(r, key, v, p, c)) {
      ParseScheduleKey(r, key, v, p, &c->interval, &c->timeout, &c->jitter, &c->latency_buckets);
    }
  });
}

// Cross-key rules, reported at the most specific node that exists.
void ValidateCheck(ConfigReader& r, const YAML::Node& n, const std::string& path, const HttpCheckConfig& c,
                   std::map<std::string, YAML::Node>& seen) {
  auto at = [&](const char* key) { return seen.count(key) ? seen[key] : n; };
  auto key_path = [&](const char* key) { return seen.count(key) ? path + "." + key : path; };
  if (!seen.count("name")) {
    r.Error(n, path, "name is required");
  }
  if (!seen.count("url")) {
    r.Error(n, path, "url is required");
  }
  if (c.interval.count() <= 0) {
    r.Error(at("interval"), key_path("interval"), "interval must be greater than 0");
  }
  if (c.timeout.count() <= 0) {
    r.Error(at("timeout"), key_path("timeout"), "timeout must be greater than 0");
  } else if (c.timeout >= c.interval) {
    r.Error(
        at("timeout"), key_path("timeout"),
        "timeout (" + FormatDuration(c.timeout) + ") must be less than interval (" + FormatDuration(c.interval) + ")");
  }
  if (c.jitter.count() > 0 && c.jitter >= c.interval) {
    r.Error(at("jitter"), key_path("jitter"), "jitter must be less than interval");
  }
  if (c.fail_if_ssl && c.fail_if_not_ssl) {
    r.Error(at("fail_if_ssl"), key_path("fail_if_ssl"), "fail_if_ssl and fail_if_not_ssl cannot both be true");
  }
  if (c.basic_auth && !c.bearer_token.empty()) {
    r.Error(at("bearer_token"), key_path("bearer_token"), "at most one of basic_auth and bearer_token may be set");
  }
}

HttpCheckConfig ParseCheck(ConfigReader& r, const YAML::Node& n, const std::string& path, const Defaults& d) {
  HttpCheckConfig c;
  c.interval = d.interval;
  c.timeout = d.timeout;
  c.jitter = d.jitter;
  c.latency_buckets = d.latency_buckets;
  std::map<std::string, YAML::Node> seen;
  if (!n.IsMap()) {
    r.WrongType(n, path, "a mapping");
    return c;
  }
  ParseCheckKeys(r, n, path, &c, &seen);
  ValidateCheck(r, n, path, c, seen);
  c.fingerprint = YAML::Dump(n) + "\n#interval=" + std::to_string(c.interval.count()) +
                  " timeout=" + std::to_string(c.timeout.count()) + " jitter=" + std::to_string(c.jitter.count());
  for (double b : c.latency_buckets) {
    c.fingerprint += " " + std::to_string(b);
  }
  return c;
}

void ParseChecks(ConfigReader& r, const YAML::Node& n, const std::string& path, const Defaults& defaults,
                 std::vector<HttpCheckConfig>* out) {
  std::map<std::string, std::string> first_seen;  // name -> path of its first definition
  r.Items(n, path, [&](const YAML::Node& item, const std::string& ip) {
    HttpCheckConfig c = ParseCheck(r, item, ip, defaults);
    if (!c.name.empty()) {
      auto [it, inserted] = first_seen.emplace(c.name, ip);
      if (!inserted) {
        r.Error(item["name"], ip + ".name", "duplicate check name (first defined at " + it->second + ")");
      }
    }
    out->push_back(std::move(c));
  });
}

void ParseSection(ConfigReader& r, const YAML::Node& section, HttpChecksConfig* out) {
  const std::string root = "http_checks";
  Defaults defaults;
  // Defaults first: checks inherit them whatever the key order.
  if (section.IsMap() && section["defaults"]) {
    ParseDefaults(r, section["defaults"], root + ".defaults", &defaults);
  }
  static const std::vector<std::string_view> kKeys = {"max_concurrency", "history_size", "defaults", "checks",
                                                      "probe_targets"};
  r.Fields(section, root, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "max_concurrency") {
      r.Int(v, p, 1, kMaxConcurrencyLimit, &out->max_concurrency);
    } else if (key == "history_size") {
      r.Int(v, p, 1, kMaxHistorySize, &out->history_size);
    } else if (key == "probe_targets") {
      out->probe_targets = ParseProbeTargetsConfig(v, p, r.diag());
    } else if (key == "checks") {
      ParseChecks(r, v, p, defaults, &out->checks);
    }
  });
}

}  // namespace

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

HttpChecksConfig ParseHttpChecksConfig(const YAML::Node& http_checks_section, ConfigDiagnostics* diag) {
  HttpChecksConfig out;
  if (!http_checks_section.IsDefined() || http_checks_section.IsNull()) {
    return out;
  }
  ConfigReader r(diag);
  try {
    ParseSection(r, http_checks_section, &out);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on odd shapes (e.g. aliases of the wrong kind); report instead of crashing.
    diag->Add(e.mark, "http_checks", e.msg);
  }
  return out;
}

}  // namespace hostwatch
