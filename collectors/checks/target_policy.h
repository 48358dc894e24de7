// Which caller-chosen targets /probe?module=<check>&target=<url> may probe.
//
// Probing arbitrary URLs turns the agent into a request proxy that sits inside
// the network (SSRF), so it is off unless the config enables it with an
// explicit allow-list. An entry of `allowed_targets` is one of:
//   - a host name, exact ("api.example.org") or a suffix glob ("*.example.org":
//     any name ending in ".example.org", at any depth, but not example.org
//     itself); compared in lower case, without a trailing dot, in the ASCII
//     (xn--) form of internationalized names;
//   - an IP address ("127.0.0.1", "::1", "[::1]") or a CIDR ("10.0.0.0/8",
//     "fd00::/8"), IPv4 or IPv6;
// each optionally with ":port" ("api.example.org:8443", "127.0.0.1:9000",
// "[::1]:9000", "10.0.0.0/8:443"); without a port every port is allowed.
//
// How a target is judged (see TargetPolicy::CheckUrl and CheckAddress):
//   - a host name that matches a name entry is allowed, wherever it resolves;
//   - anything else (an IP literal, or a name no name entry matches) is
//     allowed only if the address the probe actually connects to lies in an
//     address entry. That check runs at connect time, on the very address
//     libcurl is about to use, so a name that resolves to an allowed address
//     for our check and to another for the connection (DNS rebinding) cannot
//     slip through.
// Both checks run on the initial URL and again on every redirect hop.
//
// Value type; immutable after parsing, safe to share between threads.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// One allowed_targets entry.
struct TargetRule {
  enum class Kind { kHostExact, kHostSuffix, kNetwork };
  Kind kind = Kind::kHostExact;
  std::string host;                // kHostExact: the name; kHostSuffix: ".example.org" (with the leading dot)
  int family = 0;                  // kNetwork: AF_INET or AF_INET6
  std::uint8_t network[16] = {0};  // kNetwork: address bytes with the host bits cleared
  int prefix_length = 0;           // kNetwork: 0-32 or 0-128
  int port = 0;                    // 0 = any port
  std::string text;                // the entry as written, for messages
};

// Parses one entry; nullopt with *error set when it is malformed.
std::optional<TargetRule> ParseTargetRule(std::string_view entry, std::string* error);

// The URL probed for a /probe target: blackbox's http prober makes a target
// without a scheme http://.
std::string ProbeTargetUrl(const std::string& target);

// Host and port of a probe URL, normalized for matching.
struct TargetHost {
  std::string host;  // lower case, no trailing dot, IDN in xn-- form; IPv6 without brackets
  int port = 0;      // explicit or the scheme's default
  bool is_ip = false;
};

// Parses an http(s) URL into its normalized host and port; nullopt with
// *error set when it is not an absolute http(s) URL with a host.
std::optional<TargetHost> ParseTargetUrl(const std::string& url, std::string* error);

class TargetPolicy {
 public:
  enum class Verdict {
    kAllowed,            // a name entry matches: no address check needed
    kNeedsAddressCheck,  // allowed only if the connected address is in an address entry
    kDenied,             // no entry can allow it
  };

  TargetPolicy() = default;
  explicit TargetPolicy(std::vector<TargetRule> rules);

  // Judges a URL's host and port (see the file comment); *why explains a kDenied.
  Verdict CheckUrl(const TargetHost& target, std::string* why) const;
  // True if addr (AF_INET/AF_INET6 bytes, network order) and port lie in an address entry.
  bool CheckAddress(int family, const std::uint8_t* addr, int port) const;
  // Convenience for tests and messages: the same for a textual IP.
  bool CheckAddressText(const std::string& ip, int port) const;

  const std::vector<TargetRule>& rules() const { return rules_; }

 private:
  std::vector<TargetRule> rules_;
  bool has_network_rules_ = false;
};

// The `http_checks.probe_targets:` section.
struct ProbeTargetsConfig {
  bool enabled = false;
  TargetPolicy policy;     // from allowed_targets
  int max_concurrent = 4;  // ad-hoc probes at once; more get 503
  // Subtracted from X-Prometheus-Scrape-Timeout-Seconds (blackbox's --timeout-offset).
  std::chrono::milliseconds timeout_offset{500};
};

// Parses and validates `probe_targets:`; problems go to *diag with their
// position (unknown keys, bad entries, an empty allowed_targets when
// enabled, ...). Never throws.
ProbeTargetsConfig ParseProbeTargetsConfig(const YAML::Node& node, const std::string& path, ConfigDiagnostics* diag);

// blackbox's rule for the probe timeout: the module's timeout, lowered to
// (scrape timeout header - offset) when that is smaller and positive. An
// absent header (nullopt) leaves the module's timeout.
std::chrono::milliseconds EffectiveProbeTimeout(std::chrono::milliseconds module_timeout,
                                                std::optional<double> scrape_timeout_seconds,
                                                std::chrono::milliseconds offset);

}  // namespace hostwatch
