// The `grpc:` part of a blackbox_exporter module (blackbox 0.28's GRPCProbe),
// with blackbox's key names and defaults, so a blackbox.yml module is used as
// it is: service (default "": the server as a whole), tls (default false:
// plaintext HTTP/2), tls_config, preferred_ip_protocol (default ip6),
// ip_protocol_fallback (default true) and metadata (request headers, each a
// list of values).
//
// Value type, immutable once parsed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "collectors/checks/check_config.h"
#include "collectors/core/config_reader.h"

namespace hostwatch {

struct GrpcModule {
  std::string service;                        // HealthCheckRequest.service
  bool tls = false;                           // TLS with ALPN h2; otherwise h2c with prior knowledge
  CheckTlsConfig tls_config;                  // with tls
  std::string preferred_ip_protocol = "ip6";  // blackbox's default
  bool ip_protocol_fallback = true;
  // metadata: {name: [value, ...]}: one request header per value, names in lower case.
  std::vector<std::pair<std::string, std::string>> metadata;
};

// What a module without a `grpc:` section (or with a null one) gets: not
// blackbox's DefaultGRPCProbe but Go's zero values, ip_protocol_fallback
// false, as in blackbox (0.23 to 0.28): DefaultModule has no grpc part, and
// Go's YAML decoder applies GRPCProbe's defaults only to a section it
// decodes. With the default preferred_ip_protocol ip6, such a module fails
// on a target with only IPv4 addresses, as blackbox's does.
GrpcModule GrpcModuleWithoutSection();

// A grpc target as blackbox 0.28's prober/grpc.go reads it: "host:port",
// "[v6]:port", or a URL "http://host[:port][/...]" / "https://..." (the
// scheme does not choose TLS: the module's tls does; a path is ignored);
// without a port, 443 with tls and 80 without. False (with *why) when the
// host is empty or the port is not 1-65535.
bool SplitGrpcTarget(const std::string& target, bool tls, std::string* host, int* port, std::string* why);

// Parses a module's `grpc:` mapping at path into *out. Errors (unknown keys
// with a "did you mean", unreadable TLS files, metadata a gRPC client may not
// send: reserved names, binary "-bin" names, values with line breaks) go to
// r's diagnostics with their position; never throws.
void ParseGrpcModule(ConfigReader& r, const YAML::Node& n, const std::string& path, GrpcModule* out);

}  // namespace hostwatch
