// The `tcp:` part of a blackbox_exporter module (blackbox 0.28's TCPProbe),
// with blackbox's key names and defaults, so a blackbox.yml module is used as
// it is: preferred_ip_protocol (default ip6), ip_protocol_fallback (default
// true), source_ip_address, tls, tls_config, and query_response, a list of
// steps {expect, send, starttls, labels}.
//
// Value types, immutable once parsed; the compiled regexes are shared and
// thread-safe.
#pragma once

#include <string>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/core/config_reader.h"

namespace hostwatch {

// One label of blackbox 0.25+'s probe_expect_info: value is a template
// filled from the step's expect match as send is (${1}, ${name}).
struct ExpectLabel {
  std::string name;
  std::string value;
};

// One query_response entry: wait for a line matching expect (if any), then
// send `send` plus "\n" (with ${1}/${name} replaced by expect's submatches),
// then upgrade the connection to TLS when starttls. With labels, the matching
// line also gives probe_expect_info{<name>="<value>"...} 1.
struct QueryResponseStep {
  CheckRegex expect;  // pattern "" = send without waiting
  std::string send;
  bool starttls = false;
  std::vector<ExpectLabel> labels;  // needs expect; at most one step of a module has labels
};

struct TcpModule {
  std::string preferred_ip_protocol = "ip6";  // blackbox's default (HTTP checks default to ip4)
  bool ip_protocol_fallback = true;
  std::string source_ip_address;  // "" = the kernel's choice
  bool tls = false;               // TLS right after connecting
  CheckTlsConfig tls_config;      // for tls and starttls
  std::vector<QueryResponseStep> query_response;
};

// Parses a module's `tcp:` mapping at path into *out. Errors (unknown keys,
// bad regexes, a source address that is not an IP address, unreadable TLS
// files) go to r's diagnostics with their position; never throws.
void ParseTcpModule(ConfigReader& r, const YAML::Node& n, const std::string& path, TcpModule* out);

// Splits "host:port", "[v6]:port" as Go's net.SplitHostPort; false (with *why) when it has no port.
bool SplitHostPort(const std::string& target, std::string* host, std::string* port, std::string* why);

}  // namespace hostwatch
