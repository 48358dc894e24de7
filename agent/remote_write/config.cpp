#include "agent/remote_write/config.h"

#include "agent/remote_write/relabel.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>

#include "collectors/checks/check_config_fields.h"
#include "collectors/core/config_reader.h"
#include "collectors/core/strings.h"

namespace hostwatch::remote_write {
namespace {

// Keys of a prometheus.yml remote_write entry that hostwatch does not implement, and why: a
// pasted entry that relied on one would send elsewhere or otherwise, so it is refused, not ignored.
const std::map<std::string_view, std::string_view>& RefusedEndpointKeys() {
  static const std::map<std::string_view, std::string_view> kRefused = {
      {"oauth2", "not supported (use authorization or basic_auth)"},
      {"sigv4", "not supported (use authorization or basic_auth)"},
      {"azuread", "not supported (use authorization or basic_auth)"},
      {"bearer_token", "not supported (use authorization: {credentials: ...})"},
      {"bearer_token_file", "not supported (use authorization: {credentials_file: ...})"},
      {"metadata_config", "not supported: hostwatch sends samples only"},
      {"send_exemplars", "not supported: hostwatch has no exemplars"},
      {"send_native_histograms", "not supported: hostwatch has no native histograms"},
      {"follow_redirects", "not supported: a remote_write request is never redirected"},
  };
  return kRefused;
}

const std::map<std::string_view, std::string_view>& RefusedQueueKeys() {
  static const std::map<std::string_view, std::string_view> kRefused = {
      {"min_shards", "not supported: hostwatch sends on one shard per endpoint"},
      {"max_shards", "not supported: hostwatch sends on one shard per endpoint"},
      {"retry_on_http_429", "not supported: 429 is always retried, after Retry-After"},
      {"sample_age_limit", "not supported: queued samples are sent however old, up to buffer.max_bytes"},
  };
  return kRefused;
}

// Known keys first, then the refused ones (so "did you mean" and the refusal both work).
std::vector<std::string_view> KeysWithRefused(std::vector<std::string_view> known,
                                              const std::map<std::string_view, std::string_view>& refused) {
  for (const auto& [key, why] : refused) {
    known.push_back(key);
  }
  return known;
}

// Headers the sender sets itself, as Prometheus reserves them (config.reservedHeaders).
bool IsReservedHeader(const std::string& name) {
  static const std::set<std::string> kReserved = {
      "authorization", "host", "content-encoding", "content-length", "content-type", "user-agent",
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
      "accept-encoding", "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
      "x-prometheus-scrape-timeout-seconds"};
  return kReserved.count(AsciiToLower(name)) != 0;
}

// Prometheus names an unnamed queue by a hash of its configuration; hostwatch by one of the URL
// (FNV-1a), so the name, and the queue's place in the log, stays when other keys change.
std::string DefaultName(const std::string& url) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : url) {
    h = (h ^ c) * 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return std::string(buf, 6);
}

// A positive duration.
void PositiveDuration(ConfigReader& r, const YAML::Node& v, const std::string& p, std::chrono::milliseconds* out) {
  if (r.Duration(v, p, out) && out->count() <= 0) {
    r.Error(v, p, "must be greater than 0");
  }
}

void ParseQueue(ConfigReader& r, const YAML::Node& n, const std::string& path, QueueConfig* q) {
  static const std::vector<std::string_view> kKeys = KeysWithRefused(
      {"capacity", "max_samples_per_send", "batch_send_deadline", "min_backoff", "max_backoff"}, RefusedQueueKeys());
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "capacity") {
      r.Int(v, p, 1, 10'000'000, &q->capacity);
    } else if (key == "max_samples_per_send") {
      r.Int(v, p, 1, 1'000'000, &q->max_samples_per_send);
    } else if (key == "batch_send_deadline") {
      PositiveDuration(r, v, p, &q->batch_send_deadline);
    } else if (key == "min_backoff") {
      PositiveDuration(r, v, p, &q->min_backoff);
    } else if (key == "max_backoff") {
      PositiveDuration(r, v, p, &q->max_backoff);
    } else {
      r.Error(v, p, std::string(RefusedQueueKeys().at(key)));
    }
  });
  if (q->min_backoff > q->max_backoff) {
    r.Error(n, path, "min_backoff must not be greater than max_backoff");
  }
}

void ParseHeaders(ConfigReader& r, const YAML::Node& n, const std::string& path, Endpoint* e) {
  r.Entries(n, path, [&](const std::string& name, const YAML::Node& key_node, const YAML::Node& v,
                         const std::string& p) {
    std::string value;
    if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos) {
      r.Error(key_node, p, "must be a header name");
    } else if (IsReservedHeader(name)) {
      r.Error(key_node, p, "is set by hostwatch (a reserved header)");
    } else if (r.String(v, p, &value)) {
      e->headers.emplace_back(name, value);
    }
  });
}

void ParseEndpointKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                      Endpoint* e) {
  if (key == "url") {
    ParseHttpUrl(r, v, p, /*allow_empty=*/false, &e->url);
  } else if (key == "name") {
    if (r.String(v, p, &e->name) && e->name.empty()) {
      r.Error(v, p, "must not be empty");
    }
  } else if (key == "basic_auth") {
    ParseCheckBasicAuth(r, v, p, &e->basic_auth);
  } else if (key == "authorization") {
    ParseAuthorization(r, v, p, &e->headers);
  } else if (key == "tls_config") {
    ParseCheckTls(r, v, p, &e->tls);
  } else if (key == "headers") {
    ParseHeaders(r, v, p, e);
  } else if (key == "proxy_url") {
    ParseHttpUrl(r, v, p, /*allow_empty=*/true, &e->proxy_url);
  } else if (key == "queue_config") {
    ParseQueue(r, v, p, &e->queue);
  } else if (key == "remote_timeout") {
    PositiveDuration(r, v, p, &e->remote_timeout);
  } else if (key == "write_relabel_configs") {
    ParseRelabelConfigs(r, v, p, &e->write_relabel_configs);
  } else {
    r.Error(v, p, std::string(RefusedEndpointKeys().at(key)));
  }
}

Endpoint ParseEndpoint(ConfigReader& r, const YAML::Node& n, const std::string& path) {
  static const std::vector<std::string_view> kKeys =
      KeysWithRefused({"url", "name", "basic_auth", "authorization", "tls_config", "headers", "proxy_url",
                       "queue_config", "remote_timeout", "write_relabel_configs"},
                      RefusedEndpointKeys());
  Endpoint e;
  if (!r.Fields(n, path, kKeys,
                [&](const std::string& key, const YAML::Node& v, const std::string& p) {
                  ParseEndpointKey(r, key, v, p, &e);
                })) {
    return e;
  }
  if (!n["url"]) {
    r.Error(n, path, "url is required");
  }
  if (n["basic_auth"] && n["authorization"]) {
    r.Error(n, path, "at most one of basic_auth and authorization may be set");
  }
  if (e.name.empty()) {
    e.name = DefaultName(e.url);
  }
  return e;
}

void ParseExternalLabels(ConfigReader& r, const YAML::Node& n, const std::string& path, Labels* out) {
  r.Entries(n, path, [&](const std::string& name, const YAML::Node& key_node, const YAML::Node& v,
                         const std::string& p) {
    std::string value;
    if (!IsValidLabelName(name)) {
      r.Error(key_node, p, "invalid label name");
    } else if (r.String(v, p, &value) && !value.empty()) {  // an empty value is no label (Prometheus)
      out->push_back({name, value});
    }
  });
  std::sort(out->begin(), out->end(), [](const Label& a, const Label& b) { return a.name < b.name; });
}

void ParseBuffer(ConfigReader& r, const YAML::Node& n, const std::string& path, RemoteWriteConfig* c) {
  r.Fields(n, path, {"directory", "max_bytes"}, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "directory") {
      if (r.String(v, p, &c->buffer_directory) && c->buffer_directory.rfind('/', 0) != 0) {
        r.Error(v, p, "must be an absolute path");
      }
      return;
    }
    std::string text;
    if (r.String(v, p, &text)) {
      c->buffer_max_bytes = ParseByteSize(text);
      // Two segments at least, so dropping the oldest never drops the one being written.
      if (c->buffer_max_bytes < (1 << 20)) {
        r.Error(v, p, "must be a size of at least 1MiB, such as 268435456, 512MiB or 1GiB");
      }
    }
  });
}

void CheckUniqueNames(ConfigReader& r, const YAML::Node& list, const std::vector<Endpoint>& endpoints) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    if (!seen.insert(endpoints[i].name).second) {
      const std::string p = "remote_write.endpoints[" + std::to_string(i) + "]";
      r.Error(list[i], p, "two endpoints have the name " + endpoints[i].name + " (the remote_name label)");
    }
  }
}

}  // namespace

RemoteWriteConfig ParseRemoteWriteConfig(const YAML::Node& section, ConfigDiagnostics* diag) {
  RemoteWriteConfig c;
  if (!section.IsDefined() || section.IsNull()) {
    return c;
  }
  ConfigReader r(diag);
  const std::string path = "remote_write";
  bool have_endpoints = false;
  r.Fields(section, path, {"interval", "external_labels", "buffer", "endpoints"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "interval") {
               PositiveDuration(r, v, p, &c.interval);
             } else if (key == "external_labels") {
               ParseExternalLabels(r, v, p, &c.external_labels);
             } else if (key == "buffer") {
               ParseBuffer(r, v, p, &c);
             } else {
               r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
                 c.endpoints.push_back(ParseEndpoint(r, item, ip));
               });
               have_endpoints = v.IsSequence() && v.size() > 0;
               CheckUniqueNames(r, v, c.endpoints);
             }
           });
  if (section.IsMap() && !have_endpoints) {
    r.Error(section, path, "endpoints must list at least one endpoint");
  }
  c.enabled = have_endpoints;
  return c;
}

}  // namespace hostwatch::remote_write
