#include "collectors/checks/tcp/tcp_module.h"

#include "collectors/checks/check_config_fields.h"

namespace hostwatch {
namespace {

void ParseStep(ConfigReader& r, const YAML::Node& n, const std::string& path, QueryResponseStep* step) {
  r.Fields(n, path, {"expect", "send", "starttls"}, [&](const std::string& key, const YAML::Node& v,
                                                        const std::string& p) {
    if (key == "expect") {
      std::string pattern;
      std::shared_ptr<const re2::RE2> re;
      if (r.String(v, p, &pattern) && !pattern.empty() && r.Regex(v, p, &pattern, &re)) {
        step->expect = CheckRegex{pattern, re};
      }
    } else if (key == "send") {
      r.String(v, p, &step->send);
    } else {
      r.Bool(v, p, &step->starttls);
    }
  });
}

}  // namespace

void ParseTcpModule(ConfigReader& r, const YAML::Node& n, const std::string& path, TcpModule* out) {
  static const std::vector<std::string_view> kKeys = {
      "preferred_ip_protocol", "ip_protocol_fallback", "source_ip_address", "query_response", "tls", "tls_config"};
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (ParseAddressKey(r, key, v, p, &out->preferred_ip_protocol, &out->ip_protocol_fallback,
                        &out->source_ip_address)) {
      return;
    }
    if (key == "query_response") {
      r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
        ParseStep(r, item, ip, &out->query_response.emplace_back());
      });
    } else if (key == "tls") {
      r.Bool(v, p, &out->tls);
    } else {
      ParseCheckTls(r, v, p, &out->tls_config);
    }
  });
}

bool SplitHostPort(const std::string& target, std::string* host, std::string* port, std::string* why) {
  std::size_t colon = target.rfind(':');
  if (colon == std::string::npos) {
    *why = "missing port in address";
    return false;
  }
  std::string h = target.substr(0, colon);
  if (!h.empty() && h.front() == '[') {
    if (h.back() != ']') {
      *why = "missing ']' in address";
      return false;
    }
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    *why = "too many colons in address";
    return false;
  }
  *host = h;
  *port = target.substr(colon + 1);
  if (port->empty()) {
    *why = "missing port in address";
    return false;
  }
  return true;
}

}  // namespace hostwatch
