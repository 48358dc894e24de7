#include "collectors/checks/tcp/tcp_module.h"

#include "collectors/checks/check_config_fields.h"

namespace hostwatch {
namespace {

// labels: [{name, value}]: probe_expect_info's label names, each once, and their value templates.
void ParseExpectLabels(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<ExpectLabel>* out) {
  r.Items(n, path, [&](const YAML::Node& item, const std::string& ip) {
    ExpectLabel label;
    r.Fields(item, ip, {"name", "value"}, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      r.String(v, p, key == "name" ? &label.name : &label.value);
    });
    const std::string problem = LabelNameProblem(label.name);
    if (!problem.empty()) {
      r.Error(item, ip + ".name", label.name.empty() ? "a label needs a name" : problem);
      return;
    }
    for (const ExpectLabel& other : *out) {
      if (other.name == label.name) {
        r.Error(item, ip + ".name", "label \"" + label.name + "\" is listed twice");
        return;
      }
    }
    out->push_back(std::move(label));
  });
}

void ParseStep(ConfigReader& r, const YAML::Node& n, const std::string& path, QueryResponseStep* step) {
  r.Fields(n, path, {"expect", "send", "starttls", "labels"}, [&](const std::string& key, const YAML::Node& v,
                                                                  const std::string& p) {
    if (key == "labels") {
      ParseExpectLabels(r, v, p, &step->labels);
    } else if (key == "expect") {
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
  if (!step->labels.empty() && !step->expect.re) {
    // blackbox fills the labels only from an expect match: without one they could never show.
    r.Error(n["labels"], path + ".labels", "labels need an expect in the same step (their values come from its match)");
  }
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
      int labelled = 0;
      r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
        QueryResponseStep& step = out->query_response.emplace_back();
        ParseStep(r, item, ip, &step);
        if (!step.labels.empty() && ++labelled == 2) {
          // blackbox registers probe_expect_info per labelled step; a second registration fails its probe.
          r.Error(item["labels"], ip + ".labels", "only one query_response step may have labels");
        }
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
