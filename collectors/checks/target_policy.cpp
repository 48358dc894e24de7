#include "collectors/checks/target_policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "collectors/core/curl_api.h"
#include "collectors/checks/ip_network.h"
#include "collectors/core/collector_options.h"
#include "collectors/core/config_reader.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

constexpr int kMaxConcurrentLimit = 256;

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x80; });
}

// A DNS name as we compare it: lower case, no trailing dot.
std::string NormalizeHost(std::string_view host) {
  std::string out = AsciiToLower(host);
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  return out;
}

// Letters, digits, '-' and '.', no empty label: what a glob or name entry may contain.
bool IsHostName(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
  });
}

// Parses a port "1".."65535"; 0 on error.
int ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) {
    return 0;
  }
  int port = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return 0;
    }
    port = port * 10 + (c - '0');
  }
  return port <= 65535 ? port : 0;
}

// Splits "host:port", "[v6]:port", "[v6]", "v6" (no port: more than one
// colon and no brackets), "cidr:port". Returns false on a malformed port.
bool SplitHostPort(std::string_view entry, std::string* host, int* port) {
  *port = 0;
  if (!entry.empty() && entry.front() == '[') {
    std::size_t close = entry.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    *host = std::string(entry.substr(1, close - 1));
    std::string_view rest = entry.substr(close + 1);
    if (!rest.empty() && rest.front() == '/') {  // "[fd00::]/8" or "[fd00::]/8:443"
      std::size_t colon = rest.find(':');
      *host += std::string(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon);
    }
    if (rest.empty()) {
      return true;
    }
    if (rest.front() != ':') {
      return false;
    }
    *port = ParsePort(rest.substr(1));
    return *port != 0;
  }
  std::size_t first = entry.find(':');
  std::size_t last = entry.rfind(':');
  if (first == std::string_view::npos) {
    *host = std::string(entry);
    return true;
  }
  if (first != last) {
    // Bare IPv6 ("::1", "fd00::/8"): a port needs brackets.
    *host = std::string(entry);
    return true;
  }
  *host = std::string(entry.substr(0, first));
  *port = ParsePort(entry.substr(first + 1));
  return *port != 0;
}

bool PortMatches(const TargetRule& r, int port) { return r.port == 0 || r.port == port; }

bool NameMatches(const TargetRule& r, const std::string& host) {
  if (r.kind == TargetRule::Kind::kHostExact) {
    return r.host == host;
  }
  return r.kind == TargetRule::Kind::kHostSuffix && host.size() > r.host.size() &&
         host.compare(host.size() - r.host.size(), r.host.size(), r.host) == 0;
}

// A network entry's network as the addresses it is compared with: an IPv4-mapped
// IPv6 network is its IPv4 network (::ffff:10.0.0.0/104 is 10.0.0.0/8).
struct RuleNetwork {
  int family;
  const std::uint8_t* network;
  int prefix_length;
  std::uint8_t v4[4];
};

void NetworkOf(const TargetRule& r, RuleNetwork* out) {
  out->family = r.family;
  out->network = r.network;
  UnmapV4(&out->family, &out->network, out->v4);
  out->prefix_length = r.prefix_length;
  if (r.family == AF_INET6 && out->family == AF_INET) {
    out->prefix_length = std::max(0, r.prefix_length - 96);
  }
}

// True if the whole network lies within range: the entry names (part of) the protected range.
bool WithinRange(const RuleNetwork& n, const ProtectedRange& range) {
  return n.family == range.family && n.prefix_length >= range.prefix_length &&
         PrefixEqual(n.network, range.network, range.prefix_length);
}

std::string AddressText(int family, const std::uint8_t* addr) {
  char text[INET6_ADDRSTRLEN] = "?";
  std::uint8_t v4[4];
  UnmapV4(&family, &addr, v4);
  inet_ntop(family, addr, text, sizeof(text));
  return text;
}

// Why a protected address was refused, with the entry that would allow it.
std::string ProtectedWhy(const ProtectedRange& range, int family, const std::uint8_t* addr) {
  std::string ip = AddressText(family, addr);
  std::string cidr = ProtectedRangeText(range);
  std::string exact = ip + (ip.find(':') != std::string::npos ? "/128" : "/32");
  return ip + " is a protected address (" + std::string(range.what) + ", " + cidr +
         "): only an allowed_targets address entry within " + cidr + " allows it (e.g. " + exact +
         "), not a host name entry or a wider network";
}

// One allowed_targets item: "entry" or {target: "entry", send_credentials_over_http: bool}.
std::optional<TargetRule> ParseAllowedTarget(ConfigReader& r, const YAML::Node& item, const std::string& path) {
  std::string text;
  bool credentials = false;
  YAML::Node text_node = item;
  std::string text_path = path;
  if (item.IsMap()) {
    bool has_target = false;
    bool ok = r.Fields(item, path, {"target", "send_credentials_over_http"},
                       [&](const std::string& key, const YAML::Node& v, const std::string& p) {
                         if (key == "target") {
                           has_target = true;
                           text_node.reset(v);  // operator= would overwrite the item in the tree
                           text_path = p;
                         } else {
                           r.Bool(v, p, &credentials);
                         }
                       });
    if (!has_target) {
      r.Error(item, path, "target is required (a host name, glob, IP address or CIDR)");
      return std::nullopt;
    }
    if (!ok || !r.String(text_node, text_path, &text)) {
      return std::nullopt;
    }
  } else if (!r.String(item, path, &text)) {
    return std::nullopt;
  }
  std::string error;
  std::optional<TargetRule> rule = ParseTargetRule(text, &error);
  if (!rule) {
    r.Error(text_node, text_path, error);
    return std::nullopt;
  }
  rule->send_credentials_over_http = credentials;
  return rule;
}

}  // namespace

std::optional<TargetRule> ParseTargetRule(std::string_view entry, std::string* error) {
  TargetRule rule;
  rule.text = std::string(entry);
  std::string host;
  if (entry.empty()) {
    *error = "must not be empty";
    return std::nullopt;
  }
  if (entry.find("://") != std::string_view::npos || entry.find('/') == 0) {
    *error = "must be a host name, host glob, IP address or CIDR (optionally with :port), not a URL";
    return std::nullopt;
  }
  if (!SplitHostPort(entry, &host, &rule.port)) {
    *error = "has an invalid port (must be 1-65535; write IPv6 with a port as [addr]:port)";
    return std::nullopt;
  }
  // Address or CIDR.
  std::string address = host;
  std::size_t slash = host.find('/');
  if (slash != std::string::npos) {
    address = host.substr(0, slash);
  }
  int family = 0;
  if (ParseIp(address, &family, rule.network)) {
    int max_prefix = family == AF_INET ? 32 : 128;
    int prefix = max_prefix;
    if (slash != std::string::npos) {
      std::string_view bits = std::string_view(host).substr(slash + 1);
      if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit) ||
          std::stoi(std::string(bits)) > max_prefix) {
        *error = "has an invalid prefix length (must be 0-" + std::to_string(max_prefix) + ")";
        return std::nullopt;
      }
      prefix = std::stoi(std::string(bits));
    }
    // Host bits set ("10.1.2.3/8") usually mean a typo; refuse rather than guess.
    std::uint8_t masked[16] = {0};
    std::memcpy(masked, rule.network, 16);
    for (int bit = prefix; bit < max_prefix; ++bit) {
      masked[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    }
    if (std::memcmp(masked, rule.network, 16) != 0) {
      *error = "has host bits set after the prefix length (did you mean the network address?)";
      return std::nullopt;
    }
    rule.kind = TargetRule::Kind::kNetwork;
    rule.family = family;
    rule.prefix_length = prefix;
    return rule;
  }
  if (slash != std::string::npos) {
    *error = "is not a valid CIDR (address/prefix-length)";
    return std::nullopt;
  }
  if (!IsAscii(host)) {
    *error = "internationalized names must be written in their ASCII (xn--) form";
    return std::nullopt;
  }
  std::string name = NormalizeHost(host);
  if (name.rfind("*.", 0) == 0) {
    if (!IsHostName(name.substr(2))) {
      *error = "is not a valid host glob (only a leading \"*.\" is supported, e.g. *.example.org)";
      return std::nullopt;
    }
    rule.kind = TargetRule::Kind::kHostSuffix;
    rule.host = name.substr(1);
    return rule;
  }
  if (!IsHostName(name)) {
    *error = name.find('*') != std::string::npos
                 ? "is not a valid host glob (only a leading \"*.\" is supported, e.g. *.example.org)"
                 : "is not a valid host name, IP address or CIDR";
    return std::nullopt;
  }
  rule.kind = TargetRule::Kind::kHostExact;
  rule.host = name;
  return rule;
}

std::optional<TargetHost> ParseTargetUrl(const std::string& url, std::string* error) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    *error = "target must be an http:// or https:// URL";
    return std::nullopt;
  }
  std::string load_error;
  const CurlApi* curl = LoadCurl(&load_error);
  if (curl == nullptr) {
    *error = "target cannot be checked: " + load_error;
    return std::nullopt;
  }
  CURLU* h = curl->url();
  if (h == nullptr) {
    *error = "out of memory";
    return std::nullopt;
  }
  std::optional<TargetHost> out;
  char* host = nullptr;
  char* port = nullptr;
  // CURLU_PUNYCODE: an IDN host becomes its xn-- form, the form libcurl
  // resolves and the form allowed_targets entries are written in.
  if (curl->url_set(h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    *error = "target is not a valid URL";
  } else if (curl->url_get(h, CURLUPART_HOST, &host, CURLU_PUNYCODE) != CURLUE_OK || host == nullptr ||
             host[0] == '\0') {
    *error = "target has no host (or an internationalized name that cannot be converted)";
  } else if (curl->url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK || port == nullptr) {
    *error = "target has no port";
  } else {
    TargetHost t;
    std::string_view hv = host;
    if (hv.size() >= 2 && hv.front() == '[' && hv.back() == ']') {
      hv = hv.substr(1, hv.size() - 2);
      if (std::size_t zone = hv.find('%'); zone != std::string_view::npos) {
        hv = hv.substr(0, zone);  // a zone id does not change which address it is
      }
    }
    t.host = NormalizeHost(hv);
    t.port = ParsePort(port);
    int family = 0;
    std::uint8_t bytes[16];
    t.is_ip = ParseIp(t.host, &family, bytes);
    if (!IsAscii(t.host)) {
      *error = "target host is not ASCII";
    } else {
      out = t;
    }
  }
  curl->free(host);
  curl->free(port);
  curl->url_cleanup(h);
  return out;
}

TargetPolicy::TargetPolicy(std::vector<TargetRule> rules) : rules_(std::move(rules)) {
  has_network_rules_ = std::any_of(rules_.begin(), rules_.end(),
                                   [](const TargetRule& r) { return r.kind == TargetRule::Kind::kNetwork; });
}

TargetPolicy::Verdict TargetPolicy::CheckUrl(const TargetHost& target, std::string* why,
                                             bool* credentials_over_http) const {
  bool credentials = false;
  Verdict verdict = Verdict::kDenied;
  std::string protected_why;
  if (!target.is_ip) {
    for (const TargetRule& r : rules_) {
      if (PortMatches(r, target.port) && NameMatches(r, target.host)) {
        verdict = Verdict::kAllowed;
        credentials = credentials || r.send_credentials_over_http;
      }
    }
    if (verdict == Verdict::kDenied && has_network_rules_) {
      verdict = Verdict::kNeedsAddressCheck;  // a name may still resolve into an allowed network
    }
  } else {
    int family = 0;
    std::uint8_t bytes[16];
    if (ParseIp(target.host, &family, bytes)) {
      // Checked again on the socket: cheap, and the same rule everywhere.
      if (AddressRule(family, bytes, target.port, &credentials) != nullptr) {
        verdict = Verdict::kNeedsAddressCheck;
      } else if (const ProtectedRange* range = ProtectedRangeOf(family, bytes);
                 range != nullptr && AddressRule(family, bytes, target.port, nullptr, /*explicit_only=*/false)) {
        protected_why = "target " + ProtectedWhy(*range, family, bytes);  // a wider entry would have allowed it
      }
    }
  }
  if (credentials_over_http != nullptr) {
    *credentials_over_http = credentials;
  }
  if (verdict == Verdict::kDenied) {
    // Port 0: an icmp target, which has none.
    const std::string where = target.port == 0 ? target.host : target.host + ":" + std::to_string(target.port);
    *why = !protected_why.empty()
               ? protected_why
               : "target " + where + " is not allowed by http_checks.probe_targets.allowed_targets";
  }
  return verdict;
}

bool TargetPolicy::AllowsConnection(Verdict url_verdict, int family, const std::uint8_t* addr, int port,
                                    std::string* why) const {
  const ProtectedRange* range = ProtectedRangeOf(family, addr);
  if (url_verdict == Verdict::kAllowed && range == nullptr) {
    return true;  // a name entry matched: its name may resolve anywhere but into a protected range
  }
  if (url_verdict != Verdict::kDenied && CheckAddress(family, addr, port)) {
    return true;
  }
  // The protected-range reason only where it is the reason: a name entry or a wider network allowed it.
  const bool otherwise_allowed =
      url_verdict == Verdict::kAllowed ||
      (url_verdict != Verdict::kDenied && AddressRule(family, addr, port, nullptr, /*explicit_only=*/false) != nullptr);
  *why = range != nullptr && otherwise_allowed ? ProtectedWhy(*range, family, addr)
                                               : "address not in http_checks.probe_targets.allowed_targets";
  return false;
}

const TargetRule* TargetPolicy::AddressRule(int family, const std::uint8_t* addr, int port, bool* credentials_over_http,
                                            bool explicit_only) const {
  std::uint8_t v4[4];
  UnmapV4(&family, &addr, v4);
  const ProtectedRange* range = explicit_only ? ProtectedRangeOf(family, addr) : nullptr;
  const TargetRule* first = nullptr;
  for (const TargetRule& r : rules_) {
    if (r.kind != TargetRule::Kind::kNetwork || !PortMatches(r, port)) {
      continue;
    }
    RuleNetwork n;
    NetworkOf(r, &n);
    if (n.family != family || !PrefixEqual(n.network, addr, n.prefix_length) ||
        (range != nullptr && !WithinRange(n, *range))) {
      continue;
    }
    if (first == nullptr) {
      first = &r;
    }
    if (credentials_over_http != nullptr) {
      *credentials_over_http = *credentials_over_http || r.send_credentials_over_http;
    }
  }
  return first;
}

bool TargetPolicy::CheckAddress(int family, const std::uint8_t* addr, int port) const {
  return AddressRule(family, addr, port, nullptr) != nullptr;
}

bool TargetPolicy::CheckAddressText(const std::string& ip, int port) const {
  int family = 0;
  std::uint8_t bytes[16];
  return ParseIp(ip, &family, bytes) && CheckAddress(family, bytes, port);
}

ProbeTargetsConfig ParseProbeTargetsConfig(const YAML::Node& node, const std::string& path, ConfigDiagnostics* diag) {
  ProbeTargetsConfig out;
  ConfigReader r(diag);
  std::vector<TargetRule> rules;
  std::optional<YAML::Node> list_node;  // allowed_targets, for the position of an "empty" error
  static const std::vector<std::string_view> kKeys = {"enabled", "allowed_targets", "max_concurrent", "timeout_offset"};
  bool is_map = r.Fields(node, path, kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "enabled") {
      r.Bool(v, p, &out.enabled);
    } else if (key == "allowed_targets") {
      list_node.emplace(v);
      r.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
        if (std::optional<TargetRule> rule = ParseAllowedTarget(r, item, ip)) {
          rules.push_back(std::move(*rule));
        }
      });
    } else if (key == "max_concurrent") {
      r.Int(v, p, 1, kMaxConcurrentLimit, &out.max_concurrent);
    } else if (key == "timeout_offset") {
      r.Duration(v, p, &out.timeout_offset);
    }
  });
  if (!is_map) {
    return out;
  }
  // A malformed list already has its own errors; an empty or missing one gets this.
  bool list_malformed = list_node && (!list_node->IsSequence() || list_node->size() > 0);
  if (out.enabled && rules.empty() && !list_malformed) {
    r.Error(list_node ? *list_node : node, path + ".allowed_targets",
            "must list at least one host, glob or CIDR when probe_targets is enabled");
  }
  out.policy = TargetPolicy(std::move(rules));
  return out;
}

std::string ProbeTargetUrl(const std::string& target) {
  return target.find("://") == std::string::npos ? "http://" + target : target;
}

std::chrono::milliseconds EffectiveProbeTimeout(std::chrono::milliseconds module_timeout,
                                                std::optional<double> scrape_timeout_seconds,
                                                std::chrono::milliseconds offset) {
  if (!scrape_timeout_seconds) {
    return module_timeout;
  }
  double max_seconds = *scrape_timeout_seconds - std::chrono::duration<double>(offset).count();
  // As blackbox: a header too small for the offset falls back to the module's timeout.
  if (max_seconds <= 0 || std::chrono::duration<double>(module_timeout).count() < max_seconds) {
    return module_timeout;
  }
  return std::chrono::milliseconds(static_cast<long long>(max_seconds * 1000));
}

}  // namespace hostwatch
