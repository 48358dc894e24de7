#include "collectors/checks/check_config_fields.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>

#include "collectors/core/curl_api.h"
#include "collectors/checks/ip_network.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"
#include "collectors/core/proc_fs.h"

namespace hostwatch {
namespace {

// Label names our own series use; a static label may not shadow them.
const std::set<std::string> kReservedLabels = {"check", "target", "phase", "le", "reason", "version", "cipher"};

}  // namespace

bool IsValidLabelName(const std::string& s) { return IsLabelName(s) && s.rfind("__", 0) != 0; }

std::string HttpUrlProblem(const std::string& url) {
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

bool ReadConfigFile(ConfigReader& r, const YAML::Node& n, const std::string& path, std::string* out) {
  std::string file;
  if (!r.String(n, path, &file)) {
    return false;
  }
  Result<RegularFile> read = ProcFs().ReadRegularFile(file, kMaxConfigFileBytes);
  if (!read.ok()) {
    const int err = read.status().sys_errno();
    r.Error(n, path, "cannot read the file: " + std::string(err == EFBIG ? "larger than 1 MiB" : std::strerror(err != 0 ? err : ENOENT)));
    return false;
  }
  *out = std::move(read.value().data);
  return true;
}

void ParseHttpUrl(ConfigReader& r, const YAML::Node& n, const std::string& path, bool allow_empty, std::string* out) {
  if (r.String(n, path, out) && !(allow_empty && out->empty())) {
    if (std::string problem = HttpUrlProblem(*out); !problem.empty()) {
      r.Error(n, path, problem);
    }
  }
}

void ParseCheckTls(ConfigReader& r, const YAML::Node& n, const std::string& path, CheckTlsConfig* tls) {
  static const std::vector<std::string_view> kKeys = {
      "ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "export_chain_info", "min_version"};
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    auto file = [&](std::string* out) {
      if (r.String(v, p, out) && !out->empty() && access(out->c_str(), R_OK) != 0) {
        r.Error(v, p, std::string("cannot read the file: ") + std::strerror(errno));
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
      r.OneOf(v, p, {"TLS10", "TLS11", "TLS12", "TLS13"}, &tls->min_version);
    }
  });
  if (tls->cert_file.empty() != tls->key_file.empty()) {
    r.Error(n, path, "cert_file and key_file must be given together");
  }
}

void ParseCheckBasicAuth(ConfigReader& r, const YAML::Node& n, const std::string& path, std::optional<BasicAuth>* out) {
  BasicAuth auth;
  r.Fields(n, path, {"username", "password", "password_file"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "password_file") {
               std::string text;
               if (ReadConfigFile(r, v, p, &text)) {
                 auth.password = std::string(TrimSpace(text));
               }
             } else {
               r.String(v, p, key == "username" ? &auth.username : &auth.password);
             }
           });
  if (auth.username.empty()) {
    r.Error(n, path, "username is required");
  }
  *out = std::move(auth);
}

void ParseHeaderMatches(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<HeaderMatch>* out) {
  r.Items(n, path, [&](const YAML::Node& item, const std::string& ip) {
    HeaderMatch m;
    bool has_header = false;
    bool has_regexp = false;
    bool ok = r.Fields(item, ip, {"header", "regexp", "allow_missing"},
                       [&](const std::string& key, const YAML::Node& v, const std::string& p) {
                         if (key == "header") {
                           has_header = r.String(v, p, &m.header);
                         } else if (key == "regexp") {
                           has_regexp = r.Regex(v, p, &m.regexp.pattern, &m.regexp.re);
                         } else {
                           r.Bool(v, p, &m.allow_missing);
                         }
                       });
    if (ok && (!has_header || !has_regexp)) {
      r.Error(item, ip, "needs both header and regexp");
      return;
    }
    out->push_back(std::move(m));
  });
}

void ParseRegexList(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<CheckRegex>* out) {
  r.Items(n, path, [&](const YAML::Node& item, const std::string& ip) {
    CheckRegex re;
    if (r.Regex(item, ip, &re.pattern, &re.re)) {
      out->push_back(std::move(re));
    }
  });
}

void ParseStatusCodes(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<StatusRange>* out) {
  r.Items(n, path, [&](const YAML::Node& item, const std::string& p) {
    std::optional<StatusRange> range = item.IsScalar() ? ParseStatusRange(item.Scalar()) : std::nullopt;
    if (!range) {
      r.Error(item, p, "must be a status code 100-599 or a range such as \"2xx\"");
      return;
    }
    out->push_back(*range);
  });
}

std::string LabelNameProblem(const std::string& name) {
  if (!IsValidLabelName(name)) {
    return "invalid label name";
  }
  return kReservedLabels.count(name) != 0 ? "label name is reserved" : "";
}

void ParseCheckLabels(ConfigReader& r, const YAML::Node& n, const std::string& path,
                      std::map<std::string, std::string>* out, bool drop_internal) {
  r.Entries(n, path,
            [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v, const std::string& p) {
              std::string value;
              if (drop_internal && key.rfind("__", 0) == 0) {
                return;
              }
              if (std::string problem = LabelNameProblem(key); !problem.empty()) {
                r.Error(key_node, p, problem);
              } else if (r.String(v, p, &value)) {
                (*out)[key] = value;
              }
            });
}

void ParseRedactQueryParams(ConfigReader& r, const YAML::Node& n, const std::string& path,
                            std::vector<std::string>* out) {
  r.Items(n, path, [&](const YAML::Node& item, const std::string& p) {
    std::string name;
    if (!r.String(item, p, &name)) {
      return;
    }
    // '&', ';', '=', '#' end a name in a query: such an entry could never match.
    if (name.empty() || name.find_first_of("&;=#? ") != std::string::npos) {
      r.Error(item, p, "must be a query parameter name (not empty, without & ; = # ? or spaces)");
      return;
    }
    out->push_back(std::move(name));
  });
}

bool ParseLatencyBuckets(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<double>* out) {
  std::vector<double> buckets;
  bool ok = r.Items(n, path, [&](const YAML::Node& item, const std::string& p) {
    double v = 0;
    if (!item.IsScalar() || !YAML::convert<double>::decode(item, v) || !std::isfinite(v)) {
      r.WrongType(item, p, "a finite number");
      return;
    }
    if (!buckets.empty() && v <= buckets.back()) {
      r.Error(item, p, "buckets must be strictly increasing");
      return;
    }
    buckets.push_back(v);
  });
  if (ok && buckets.empty()) {
    r.Error(n, path, "must not be empty");
    return false;
  }
  *out = std::move(buckets);
  return ok;
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

bool ParseAddressKey(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p,
                     std::string* preferred_ip_protocol, bool* ip_protocol_fallback, std::string* source_ip_address) {
  if (key == "preferred_ip_protocol") {
    r.OneOf(v, p, {"ip4", "ip6"}, preferred_ip_protocol);
  } else if (key == "ip_protocol_fallback") {
    r.Bool(v, p, ip_protocol_fallback);
  } else if (key == "source_ip_address") {
    int family = 0;
    std::uint8_t bytes[16];
    if (r.String(v, p, source_ip_address) && !source_ip_address->empty() &&
        !ParseIp(*source_ip_address, &family, bytes)) {
      r.Error(v, p, "must be an IPv4 or IPv6 address");
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace hostwatch
