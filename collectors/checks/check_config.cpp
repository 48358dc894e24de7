#include "collectors/checks/check_config.h"

#include <unistd.h>

#include <cmath>
#include <functional>
#include <set>

#include "collectors/core/collector_options.h"
#include "collectors/checks/http/curl_api.h"

namespace hostwatch {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxConcurrencyLimit = 10000;
constexpr int kMaxHistorySize = 1000;
constexpr int kMaxRedirectsLimit = 100;

// Label names our own series use; a static label may not shadow them.
const std::set<std::string> kReservedLabels = {"check", "target", "phase", "le", "reason", "version", "cipher"};

// Walks one YAML tree, reporting problems with the dotted key path.
class Reader {
 public:
  explicit Reader(ConfigDiagnostics* diag) : diag_(diag) {}

  void Error(const YAML::Node& at, const std::string& key, const std::string& reason) { diag_->Add(at, key, reason); }

  // Calls fn(key, value, path) for every entry of a mapping; false (and an
  // error) when node is not a mapping.
  bool ForEachEntry(
      const YAML::Node& node, const std::string& path,
      const std::function<void(const std::string&, const YAML::Node&, const YAML::Node&, const std::string&)>& fn) {
    if (!node.IsMap()) {
      Error(node, path, "must be a mapping");
      return false;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      fn(key, it->second, it->first, path.empty() ? key : path + "." + key);
    }
    return true;
  }

  ConfigDiagnostics* diag() { return diag_; }

  void Unknown(const YAML::Node& key_node, const std::string& path) { Error(key_node, path, "unknown key"); }

  bool String(const YAML::Node& n, const std::string& path, std::string* out) {
    if (!n.IsScalar()) {
      Error(n, path, "must be a string");
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  bool Bool(const YAML::Node& n, const std::string& path, bool* out) {
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, *out)) {
      Error(n, path, "must be true or false");
      return false;
    }
    return true;
  }

  bool Int(const YAML::Node& n, const std::string& path, long long min, long long max, long long* out) {
    long long v = 0;
    if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
      Error(n, path, "must be an integer");
      return false;
    }
    if (v < min || v > max) {
      Error(n, path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return false;
    }
    *out = v;
    return true;
  }

  bool Duration(const YAML::Node& n, const std::string& path, milliseconds* out) {
    if (!n.IsScalar()) {
      Error(n, path, "must be a duration such as 30s");
      return false;
    }
    Result<milliseconds> d = ParseDuration(n.Scalar());
    if (!d.ok()) {
      Error(n, path, d.status().message());
      return false;
    }
    *out = d.value();
    return true;
  }

  bool Regex(const YAML::Node& n, const std::string& path, CheckRegex* out) {
    std::string pattern;
    if (!String(n, path, &pattern)) {
      return false;
    }
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const re2::RE2>(pattern, opts);
    if (!re->ok()) {
      Error(n, path, "invalid regular expression: " + re->error());
      return false;
    }
    *out = CheckRegex{pattern, std::move(re)};
    return true;
  }

  // Calls fn(item, path_with_index) for every element of a sequence.
  bool ForEachItem(const YAML::Node& n, const std::string& path,
                   const std::function<void(const YAML::Node&, const std::string&)>& fn) {
    if (!n.IsSequence()) {
      Error(n, path, "must be a list");
      return false;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      fn(n[i], path + "[" + std::to_string(i) + "]");
    }
    return true;
  }

  bool StringMap(const YAML::Node& n, const std::string& path, std::vector<std::pair<std::string, std::string>>* out) {
    return ForEachEntry(n, path,
                        [&](const std::string& k, const YAML::Node& v, const YAML::Node&, const std::string& p) {
                          std::string value;
                          if (String(v, p, &value)) {
                            out->emplace_back(k, value);
                          }
                        });
  }

  bool Buckets(const YAML::Node& n, const std::string& path, std::vector<double>* out) {
    std::vector<double> buckets;
    bool ok = ForEachItem(n, path, [&](const YAML::Node& item, const std::string& p) {
      double v = 0;
      if (!item.IsScalar() || !YAML::convert<double>::decode(item, v) || !std::isfinite(v)) {
        Error(item, p, "must be a finite number");
        return;
      }
      if (!buckets.empty() && v <= buckets.back()) {
        Error(item, p, "buckets must be strictly increasing");
        return;
      }
      buckets.push_back(v);
    });
    if (ok && buckets.empty()) {
      Error(n, path, "must not be empty");
      return false;
    }
    *out = std::move(buckets);
    return ok;
  }

 private:
  ConfigDiagnostics* diag_;
};

bool IsValidLabelName(const std::string& s) {
  if (s.empty() || s.rfind("__", 0) == 0) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) {
      return false;
    }
  }
  return true;
}

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

// Empty string when url is an absolute http(s) URL with a host, else the reason.
std::string UrlProblem(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return "must start with http:// or https://";
  }
  // The URL is checked by the parser that will use it; this is also where a
  // configuration with checks first loads libcurl (see curl_api.h).
  std::string load_error;
  const CurlApi* curl = LoadCurl(&load_error);
  if (curl == nullptr) {
    return "cannot be checked: " + load_error;
  }
  CURLU* h = curl->url();
  if (h == nullptr) {
    return "cannot parse URL (out of memory)";
  }
  std::string problem;
  if (curl->url_set(h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    problem = "is not a valid URL";
  } else {
    char* host = nullptr;
    if (curl->url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == nullptr || host[0] == '\0') {
      problem = "has no host";
    }
    curl->free(host);
  }
  curl->url_cleanup(h);
  return problem;
}

struct Defaults {
  milliseconds interval{60000};
  milliseconds timeout{10000};
  milliseconds jitter{0};
  std::vector<double> latency_buckets = DefaultLatencyBuckets();
};

void ParseDefaults(Reader& r, const YAML::Node& n, const std::string& path, Defaults* d) {
  r.ForEachEntry(n, path, [&](const std::string& key, const YAML::Node& v, const YAML::Node& k, const std::string& p) {
    if (key == "interval") {
      r.Duration(v, p, &d->interval);
    } else if (key == "timeout") {
      r.Duration(v, p, &d->timeout);
    } else if (key == "jitter") {
      r.Duration(v, p, &d->jitter);
    } else if (key == "latency_buckets") {
      r.Buckets(v, p, &d->latency_buckets);
    } else {
      r.Unknown(k, p);
    }
  });
}

void ParseHeaderMatches(Reader& r, const YAML::Node& n, const std::string& path, std::vector<HeaderMatch>* out) {
  r.ForEachItem(n, path, [&](const YAML::Node& item, const std::string& ip) {
    HeaderMatch m;
    bool has_header = false;
    bool has_regexp = false;
    bool ok = r.ForEachEntry(
        item, ip, [&](const std::string& key, const YAML::Node& v, const YAML::Node& k, const std::string& p) {
          if (key == "header") {
            has_header = r.String(v, p, &m.header);
          } else if (key == "regexp") {
            has_regexp = r.Regex(v, p, &m.regexp);
          } else if (key == "allow_missing") {
            r.Bool(v, p, &m.allow_missing);
          } else {
            r.Unknown(k, p);
          }
        });
    if (ok && (!has_header || !has_regexp)) {
      r.Error(item, ip, "needs both header and regexp");
      return;
    }
    out->push_back(std::move(m));
  });
}

void ParseTls(Reader& r, const YAML::Node& n, const std::string& path, CheckTlsConfig* tls) {
  r.ForEachEntry(n, path, [&](const std::string& key, const YAML::Node& v, const YAML::Node& k, const std::string& p) {
    auto file = [&](std::string* out) {
      if (r.String(v, p, out) && !out->empty() && access(out->c_str(), R_OK) != 0) {
        r.Error(v, p, "cannot read file " + *out);
      }
    };
    if (key == "ca_file") {
      file(&tls->ca_file);
    } else if (key == "cert_file") {
      file(&tls->cert_file);
    } else if (key == "key_file") {
      file(&tls->key_file);
    } else if (key == "server_name") {
      r.String(v, p, &tls->server_name);
    } else if (key == "insecure_skip_verify") {
      r.Bool(v, p, &tls->insecure_skip_verify);
    } else if (key == "export_chain_info") {
      r.Bool(v, p, &tls->export_chain_info);
    } else if (key == "min_version") {
      if (r.String(v, p, &tls->min_version) && tls->min_version != "TLS10" && tls->min_version != "TLS11" &&
          tls->min_version != "TLS12" && tls->min_version != "TLS13") {
        r.Error(v, p, "must be one of TLS10, TLS11, TLS12, TLS13");
      }
    } else {
      r.Unknown(k, p);
    }
  });
  if (tls->cert_file.empty() != tls->key_file.empty()) {
    r.Error(n, path, "cert_file and key_file must be given together");
  }
}

void ParseBasicAuth(Reader& r, const YAML::Node& n, const std::string& path, std::optional<BasicAuth>* out) {
  BasicAuth auth;
  r.ForEachEntry(n, path, [&](const std::string& key, const YAML::Node& v, const YAML::Node& k, const std::string& p) {
    if (key == "username") {
      r.String(v, p, &auth.username);
    } else if (key == "password") {
      r.String(v, p, &auth.password);
    } else {
      r.Unknown(k, p);
    }
  });
  if (auth.username.empty()) {
    r.Error(n, path, "username is required");
  }
  *out = std::move(auth);
}

void ParseStatusCodes(Reader& r, const YAML::Node& n, const std::string& path, std::vector<StatusRange>* out) {
  r.ForEachItem(n, path, [&](const YAML::Node& item, const std::string& p) {
    std::optional<StatusRange> range = item.IsScalar() ? ParseStatusRange(item.Scalar()) : std::nullopt;
    if (!range) {
      r.Error(item, p, "must be a status code 100-599 or a range such as \"2xx\"");
      return;
    }
    out->push_back(*range);
  });
}

// Parses one check's keys into c. Returns the nodes of interval/timeout/jitter
// (for positions of cross-key errors) via the out params.
void ParseCheckKeys(Reader& r, const YAML::Node& n, const std::string& path, HttpCheckConfig* c,
                    std::map<std::string, YAML::Node>* seen) {
  r.ForEachEntry(n, path, [&](const std::string& key, const YAML::Node& v, const YAML::Node& k, const std::string& p) {
    (*seen)[key] = v;
    if (key == "name") {
      if (r.String(v, p, &c->name) && c->name.empty()) {
        r.Error(v, p, "must not be empty");
      }
    } else if (key == "url") {
      if (r.String(v, p, &c->url)) {
        if (std::string problem = UrlProblem(c->url); !problem.empty()) {
          r.Error(v, p, problem);
        }
      }
    } else if (key == "method") {
      if (r.String(v, p, &c->method) && !IsHttpToken(c->method)) {
        r.Error(v, p, "must be an HTTP method such as GET");
      }
    } else if (key == "headers") {
      r.StringMap(v, p, &c->headers);
    } else if (key == "body") {
      r.String(v, p, &c->body);
    } else if (key == "basic_auth") {
      ParseBasicAuth(r, v, p, &c->basic_auth);
    } else if (key == "bearer_token") {
      r.String(v, p, &c->bearer_token);
    } else if (key == "valid_status_codes") {
      ParseStatusCodes(r, v, p, &c->valid_status_codes);
    } else if (key == "valid_http_versions") {
      r.ForEachItem(v, p, [&](const YAML::Node& item, const std::string& ip) {
        std::string version;
        if (!r.String(item, ip, &version)) {
          return;
        }
        if (version != "HTTP/1.0" && version != "HTTP/1.1" && version != "HTTP/2.0" && version != "HTTP/3.0") {
          r.Error(item, ip, "must be one of HTTP/1.0, HTTP/1.1, HTTP/2.0, HTTP/3.0");
          return;
        }
        c->valid_http_versions.push_back(version);
      });
    } else if (key == "follow_redirects") {
      r.Bool(v, p, &c->follow_redirects);
    } else if (key == "max_redirects") {
      long long max = 0;
      if (r.Int(v, p, 0, kMaxRedirectsLimit, &max)) {
        c->max_redirects = static_cast<int>(max);
      }
    } else if (key == "fail_if_ssl") {
      r.Bool(v, p, &c->fail_if_ssl);
    } else if (key == "fail_if_not_ssl") {
      r.Bool(v, p, &c->fail_if_not_ssl);
    } else if (key == "fail_if_body_matches_regexp" || key == "fail_if_body_not_matches_regexp") {
      auto* out =
          key == "fail_if_body_matches_regexp" ? &c->fail_if_body_matches_regexp : &c->fail_if_body_not_matches_regexp;
      r.ForEachItem(v, p, [&](const YAML::Node& item, const std::string& ip) {
        CheckRegex re;
        if (r.Regex(item, ip, &re)) {
          out->push_back(std::move(re));
        }
      });
    } else if (key == "fail_if_header_matches") {
      ParseHeaderMatches(r, v, p, &c->fail_if_header_matches);
    } else if (key == "fail_if_header_not_matches") {
      ParseHeaderMatches(r, v, p, &c->fail_if_header_not_matches);
    } else if (key == "tls") {
      ParseTls(r, v, p, &c->tls);
    } else if (key == "preferred_ip_protocol") {
      if (r.String(v, p, &c->preferred_ip_protocol) && c->preferred_ip_protocol != "ip4" &&
          c->preferred_ip_protocol != "ip6") {
        r.Error(v, p, "must be ip4 or ip6");
      }
    } else if (key == "ip_protocol_fallback") {
      r.Bool(v, p, &c->ip_protocol_fallback);
    } else if (key == "body_size_limit") {
      std::string text;
      if (r.String(v, p, &text)) {
        c->body_size_limit = ParseByteSize(text);
        if (c->body_size_limit < 0) {
          r.Error(v, p, "must be a size such as 1048576, 512KB or 1MiB");
        }
      }
    } else if (key == "compression") {
      if (r.String(v, p, &c->compression) && c->compression != "" && c->compression != "gzip" &&
          c->compression != "br" && c->compression != "deflate" && c->compression != "identity") {
        r.Error(v, p, "must be one of gzip, br, deflate, identity");
      }
    } else if (key == "proxy_url") {
      if (r.String(v, p, &c->proxy_url) && !c->proxy_url.empty()) {
        if (std::string problem = UrlProblem(c->proxy_url); !problem.empty()) {
          r.Error(v, p, problem);
        }
      }
    } else if (key == "labels") {
      std::vector<std::pair<std::string, std::string>> labels;
      r.ForEachEntry(v, p,
                     [&](const std::string& lk, const YAML::Node& lv, const YAML::Node& lkn, const std::string& lp) {
                       std::string value;
                       if (!IsValidLabelName(lk)) {
                         r.Error(lkn, lp, "invalid label name");
                       } else if (kReservedLabels.count(lk) != 0) {
                         r.Error(lkn, lp, "label name is reserved");
                       } else if (r.String(lv, lp, &value)) {
                         c->labels[lk] = value;
                       }
                     });
    } else if (key == "interval") {
      r.Duration(v, p, &c->interval);
    } else if (key == "timeout") {
      r.Duration(v, p, &c->timeout);
    } else if (key == "jitter") {
      r.Duration(v, p, &c->jitter);
    } else if (key == "latency_buckets") {
      r.Buckets(v, p, &c->latency_buckets);
    } else {
      r.Unknown(k, p);
    }
  });
}

// Cross-key rules, reported at the most specific node that exists.
void ValidateCheck(Reader& r, const YAML::Node& n, const std::string& path, const HttpCheckConfig& c,
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

HttpCheckConfig ParseCheck(Reader& r, const YAML::Node& n, const std::string& path, const Defaults& d) {
  HttpCheckConfig c;
  c.interval = d.interval;
  c.timeout = d.timeout;
  c.jitter = d.jitter;
  c.latency_buckets = d.latency_buckets;
  std::map<std::string, YAML::Node> seen;
  if (!n.IsMap()) {
    r.Error(n, path, "must be a mapping");
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

void ParseSection(Reader& r, const YAML::Node& section, HttpChecksConfig* out) {
  const std::string root = "http_checks";
  Defaults defaults;
  // Defaults first: checks inherit them whatever the key order.
  if (section.IsMap() && section["defaults"]) {
    ParseDefaults(r, section["defaults"], root + ".defaults", &defaults);
  }
  r.ForEachEntry(section, root,
                 [&](const std::string& key, const YAML::Node& v, const YAML::Node& k, const std::string& p) {
                   if (key == "defaults") {
                     return;
                   }
                   long long n = 0;
                   if (key == "max_concurrency") {
                     if (r.Int(v, p, 1, kMaxConcurrencyLimit, &n)) {
                       out->max_concurrency = static_cast<int>(n);
                     }
                   } else if (key == "history_size") {
                     if (r.Int(v, p, 1, kMaxHistorySize, &n)) {
                       out->history_size = static_cast<int>(n);
                     }
                   } else if (key == "probe_targets") {
                     out->probe_targets = ParseProbeTargetsConfig(v, p, r.diag());
                   } else if (key == "checks") {
                     std::map<std::string, std::string> first_seen;  // name -> path of its first definition
                     r.ForEachItem(v, p, [&](const YAML::Node& item, const std::string& ip) {
                       HttpCheckConfig c = ParseCheck(r, item, ip, defaults);
                       if (!c.name.empty()) {
                         auto [it, inserted] = first_seen.emplace(c.name, ip);
                         if (!inserted) {
                           r.Error(item["name"], ip + ".name",
                                   "duplicate check name \"" + c.name + "\" (first defined at " + it->second + ")");
                         }
                       }
                       out->checks.push_back(std::move(c));
                     });
                   } else {
                     r.Unknown(k, p);
                   }
                 });
}

}  // namespace

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

std::int64_t ParseByteSize(const std::string& text) {
  std::size_t i = 0;
  std::int64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (value > (INT64_MAX - 9) / 10) {
      return -1;
    }
    value = value * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) {
    return -1;
  }
  static const std::map<std::string, std::int64_t> kUnits = {
      {"", 1},           {"B", 1},           {"KB", 1LL << 10}, {"KiB", 1LL << 10},
      {"MB", 1LL << 20}, {"MiB", 1LL << 20}, {"GB", 1LL << 30}, {"GiB", 1LL << 30}};
  auto unit = kUnits.find(text.substr(i));
  if (unit == kUnits.end() || value > INT64_MAX / unit->second) {
    return -1;
  }
  return value * unit->second;
}

std::optional<StatusRange> ParseStatusRange(const std::string& text) {
  if (text.size() == 3 && text[0] >= '1' && text[0] <= '5' && (text[1] == 'x' || text[1] == 'X') &&
      (text[2] == 'x' || text[2] == 'X')) {
    int base = (text[0] - '0') * 100;
    return StatusRange{base, base + 99};
  }
  if (text.size() != 3) {
    return std::nullopt;
  }
  int code = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') {
      return std::nullopt;
    }
    code = code * 10 + (ch - '0');
  }
  if (code < 100 || code > 599) {
    return std::nullopt;
  }
  return StatusRange{code, code};
}

HttpChecksConfig ParseHttpChecksConfig(const YAML::Node& http_checks_section, ConfigDiagnostics* diag) {
  HttpChecksConfig out;
  if (!http_checks_section.IsDefined() || http_checks_section.IsNull()) {
    return out;
  }
  Reader r(diag);
  try {
    ParseSection(r, http_checks_section, &out);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on odd shapes (e.g. aliases of the wrong kind); report instead of crashing.
    diag->Add(e.mark, "http_checks", e.msg);
  }
  return out;
}

}  // namespace hostwatch
