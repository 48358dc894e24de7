#include "collectors/checks/dns/dns_module.h"

#include "collectors/checks/check_config_fields.h"
#include "collectors/checks/dns/dns_message.h"
#include "collectors/checks/tcp/tcp_module.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

bool IsAscii(const std::string& s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) > 0x7e || static_cast<unsigned char>(c) < 0x20) {
      return false;
    }
  }
  return true;
}

void ParseValidator(ConfigReader& r, const YAML::Node& n, const std::string& path, DnsRrValidator* out) {
  static const std::vector<std::string_view> kKeys = {"fail_if_matches_regexp", "fail_if_all_match_regexp",
                                                      "fail_if_not_matches_regexp", "fail_if_none_matches_regexp"};
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    std::vector<CheckRegex>* list = key == kKeys[0]   ? &out->fail_if_matches
                                    : key == kKeys[1] ? &out->fail_if_all_match
                                    : key == kKeys[2] ? &out->fail_if_not_matches
                                                      : &out->fail_if_none_matches;
    ParseRegexList(r, v, p, list);
  });
}

void ParseRcodes(ConfigReader& r, const YAML::Node& n, const std::string& path, std::vector<int>* out) {
  std::vector<int> codes;
  r.Items(n, path, [&](const YAML::Node& item, const std::string& p) {
    std::string name;
    if (!r.String(item, p, &name)) {
      return;
    }
    if (std::optional<int> code = DnsRcodeByName(name)) {
      codes.push_back(*code);
      return;
    }
    const std::string_view guess = ClosestSpelling(name, DnsRcodeNames());
    r.Error(item, p, "unknown rcode (known: " + Join(DnsRcodeNames(), ", ") + ")" +
                         (guess.empty() ? "" : "; did you mean " + std::string(guess) + "?"));
  });
  *out = std::move(codes);  // blackbox: a list given replaces NOERROR, an empty one accepts nothing
}

template <typename Lookup, typename T>
void ParseName(ConfigReader& r, const YAML::Node& v, const std::string& p, const char* what, Lookup lookup, T* out) {
  std::string name;
  if (!r.String(v, p, &name)) {
    return;
  }
  if (auto value = lookup(name)) {
    *out = *value;
    return;
  }
  r.Error(v, p, std::string("unknown ") + what + " (spelled as blackbox spells it, in upper case, e.g. " +
                    (std::string_view(what) == "query type" ? "A, AAAA, MX, SOA" : "IN, CH") + ")");
}

void ParseQueryName(ConfigReader& r, const YAML::Node& v, const std::string& p, std::string* out) {
  if (!r.String(v, p, out)) {
    return;
  }
  if (!IsAscii(*out)) {
    r.Error(v, p, "must be ASCII (write an internationalised name in its xn-- form)");
  } else if (!IsValidQueryName(*out)) {
    r.Error(v, p, "must be a domain name (labels of 1-63 bytes, 255 in all)");
  }
}

void ParseField(ConfigReader& r, const std::string& key, const YAML::Node& v, const std::string& p, DnsModule* out) {
  if (key == "query_name") {
    ParseQueryName(r, v, p, &out->query_name);
  } else if (key == "query_type") {
    ParseName(r, v, p, "query type", DnsTypeByName, &out->query_type);
  } else if (key == "query_class") {
    ParseName(r, v, p, "query class", DnsClassByName, &out->query_class);
  } else if (key == "recursion_desired") {
    r.Bool(v, p, &out->recursion_desired);
  } else if (key == "transport_protocol") {
    std::string transport;
    if (r.OneOf(v, p, {"udp", "tcp"}, &transport)) {
      out->tcp = transport == "tcp";
    }
  } else if (key == "dns_over_tls") {
    r.Bool(v, p, &out->dns_over_tls);
  } else if (key == "tls_config") {
    ParseCheckTls(r, v, p, &out->tls_config);
  } else if (key == "valid_rcodes") {
    ParseRcodes(r, v, p, &out->valid_rcodes);
  } else if (key == "validate_answer_rrs") {
    ParseValidator(r, v, p, &out->validate_answer);
  } else if (key == "validate_authority_rrs") {
    ParseValidator(r, v, p, &out->validate_authority);
  } else if (key == "validate_additional_rrs") {
    ParseValidator(r, v, p, &out->validate_additional);
  } else {
    ParseAddressKey(r, key, v, p, &out->preferred_ip_protocol, &out->ip_protocol_fallback, &out->source_ip_address);
  }
}

}  // namespace

void ParseDnsModule(ConfigReader& r, const YAML::Node& n, const std::string& path, DnsModule* out) {
  static const std::vector<std::string_view> kKeys = {
      "query_name",          "query_type",          "query_class",           "recursion_desired",
      "transport_protocol",  "dns_over_tls",        "tls_config",            "valid_rcodes",
      "validate_answer_rrs", "validate_authority_rrs", "validate_additional_rrs", "preferred_ip_protocol",
      "ip_protocol_fallback", "source_ip_address"};
  bool has_name = false;
  r.Fields(n, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    has_name = has_name || key == "query_name";
    ParseField(r, key, v, p, out);
  });
  if (!has_name) {
    r.Error(n, path, "query_name is required (blackbox: \"query name must be set for DNS module\")");
  }
  if (out->dns_over_tls && !out->tcp) {
    // blackbox accepts this and then fails every probe ("Expected transport protocol tcp for DoT").
    r.Error(n["dns_over_tls"], path + ".dns_over_tls", "needs transport_protocol: tcp (DNS over TLS runs on TCP)");
  }
}

bool SplitDnsTarget(const std::string& target, bool dns_over_tls, std::string* host, int* port, std::string* why) {
  std::string port_text;
  if (!SplitHostPort(target, host, &port_text, why)) {
    // No port (or a bare IPv6 literal): the whole target is the host, as blackbox does.
    *host = target;
    port_text = dns_over_tls ? "853" : "53";
  }
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);  // "[::1]" without a port
  }
  if (host->empty()) {
    *why = "no host";
    return false;
  }
  long value = 0;
  for (char c : port_text) {
    value = (c >= '0' && c <= '9' && value < 100000) ? value * 10 + (c - '0') : 100000;
  }
  if (port_text.empty() || value < 1 || value > 65535) {
    *why = "the port must be a number from 1 to 65535";
    return false;
  }
  *port = static_cast<int>(value);
  return true;
}

}  // namespace hostwatch
