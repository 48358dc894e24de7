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
// Instead of the plain string an entry may be a mapping with options:
//   {target: "10.0.0.0/8", send_credentials_over_http: true}
//
// How a target is judged (see TargetPolicy::CheckUrl and AllowsConnection):
//   - a host name that matches a name entry is allowed, and so is any address
//     it resolves to except a protected one (ip_network.h: loopback,
//     unspecified, link-local, cloud metadata): names choose which URLs may be
//     asked for, not where they may lead, since whoever controls the name's
//     DNS controls where it resolves;
//   - anything else (an IP literal, or a name no name entry matches) is
//     allowed only if the address the probe actually connects to lies in an
//     address entry;
//   - a protected address is allowed only by an address entry that names it
//     explicitly, i.e. one within its protected range ("127.0.0.1/32",
//     "127.0.0.0/8", "169.254.169.254"); a wider entry such as "0.0.0.0/0"
//     does not cover it, and "169.254.0.0/16" covers link-local addresses but
//     not the metadata address inside it.
// The address check runs at connect time, on the very address libcurl is
// about to use, so a name that resolves to an allowed address for our check
// and to another for the connection (DNS rebinding) cannot slip through. Both
// checks run on the initial URL and again on every redirect hop.
//
// Credentials: the module's headers, basic_auth and bearer_token go to an
// ad-hoc target only over https, or to the module's own origin (ProbeRun
// decides), unless an entry that matches the target's URL itself (a name
// entry for a host name, an address entry for an IP literal) says
// send_credentials_over_http: true. A host name allowed only through the
// address it resolves to never gets them over http.
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
  std::string host;                         // kHostExact: the name; kHostSuffix: ".example.org" (with the leading dot)
  int family = 0;                           // kNetwork: AF_INET or AF_INET6
  std::uint8_t network[16] = {0};           // kNetwork: address bytes with the host bits cleared
  int prefix_length = 0;                    // kNetwork: 0-32 or 0-128
  int port = 0;                             // 0 = any port
  std::string text;                         // the entry as written, for messages
  bool send_credentials_over_http = false;  // the module's credentials may go to targets it matches over http://
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
    kAllowed,            // a name entry matches: any address but a protected one (see AllowsConnection)
    kNeedsAddressCheck,  // allowed only if the connected address is in an address entry
    kDenied,             // no entry can allow it
  };

  TargetPolicy() = default;
  explicit TargetPolicy(std::vector<TargetRule> rules);

  // Judges a URL's host and port (see the file comment); *why explains a
  // kDenied. *credentials_over_http (when given) is set to whether an entry
  // that matches the URL itself allows the module's credentials over http.
  Verdict CheckUrl(const TargetHost& target, std::string* why, bool* credentials_over_http = nullptr) const;
  // Whether a probe whose hop URL got url_verdict (not kDenied) may connect to
  // addr (AF_INET/AF_INET6 bytes, network order) on port; *why explains a refusal.
  bool AllowsConnection(Verdict url_verdict, int family, const std::uint8_t* addr, int port, std::string* why) const;
  // True if addr and port lie in an address entry (for a protected address:
  // in an entry within its protected range).
  bool CheckAddress(int family, const std::uint8_t* addr, int port) const;
  // Convenience for tests and messages: the same for a textual IP.
  bool CheckAddressText(const std::string& ip, int port) const;

  const std::vector<TargetRule>& rules() const { return rules_; }

 private:
  // The address entry that allows addr:port (see CheckAddress), or null; *credentials_over_http
  // (when given) gets whether any entry that allows it says send_credentials_over_http. Without
  // explicit_only, protected ranges are ignored (to tell which reason a refusal has).
  const TargetRule* AddressRule(int family, const std::uint8_t* addr, int port, bool* credentials_over_http,
                                bool explicit_only = true) const;

  std::vector<TargetRule> rules_;
  bool has_network_rules_ = false;
};

// What an ad-hoc /probe run is held to besides its module's settings; ProbeRun
// applies it on every hop (the allow-list on the URL and on every address it
// connects to, and where the module's credentials may go).
struct AdHocTargetRules {
  const TargetPolicy* policy = nullptr;  // the allow-list; must outlive the run
  std::string module_url;                // the module's own URL: its credentials may go to its origin over http
  std::string host_header;               // /probe's hostname parameter (probe_hostname.h); "" = the URL's host
};

// What an ad-hoc /probe run of another prober (tcp, dns, icmp, grpc) is held
// to: the allow-list's verdict on the target's host and port, checked again
// on every address the run is about to reach, before any packet leaves for
// it (socket_dial.h's GuardRefusal, curl_guard.h). A name the allow-list
// names may still resolve to a protected address, and a name it does not
// name is judged by its address alone, so the check is on the resolved address.
struct AddressGuard {
  const TargetPolicy* policy = nullptr;  // null: a scheduled run, nothing to check; must outlive the run
  TargetPolicy::Verdict verdict = TargetPolicy::Verdict::kDenied;
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
