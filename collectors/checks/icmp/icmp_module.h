// The `icmp:` part of a blackbox_exporter module (blackbox 0.28's ICMPProbe),
// with blackbox's key names and defaults, so a blackbox.yml module is used as
// it is: preferred_ip_protocol (default ip6), ip_protocol_fallback (default
// true), source_ip_address, payload_size, dont_fragment (IPv4), ttl (default
// 64) — plus hostwatch's smokeping-style keys (blackbox issue #115): packets
// (echo requests per run, default 1 = blackbox) and packet_interval (the gap
// between them, default 1s, as ping(8)).
//
// A value type, immutable once parsed.
#pragma once

#include <chrono>
#include <string>

#include "collectors/core/config_reader.h"

namespace hostwatch {

struct IcmpModule {
  std::string preferred_ip_protocol = "ip6";  // blackbox's default
  bool ip_protocol_fallback = true;
  std::string source_ip_address;                    // "" = the kernel's choice
  int payload_size = 0;                             // 0 = blackbox's 28-byte text; else that many bytes
  bool dont_fragment = false;                       // IPv4 only: the DF bit (IPv6 routers never fragment)
  int ttl = 64;                                     // outgoing TTL / hop limit; 0 = the kernel's default
  int packets = 1;                                  // echo requests per run (hostwatch)
  std::chrono::milliseconds packet_interval{1000};  // between two echo requests of a run (hostwatch)
};

inline constexpr int kMaxIcmpPackets = 100;
// The largest echo payload an IPv4 datagram can carry (65535 - 20 IP - 8 ICMP).
inline constexpr int kMaxIcmpPayload = 65507;

// Parses a module's `icmp:` mapping at path into *out. Errors (unknown keys
// with a "did you mean", out-of-range numbers, a source address that is not
// an IP address) go to r's diagnostics with their position; never throws.
void ParseIcmpModule(ConfigReader& r, const YAML::Node& n, const std::string& path, IcmpModule* out);

// A run must end within the module's timeout: with packets > 1, refuses
// (error at the icmp section's `packets`, or at `at` when absent) a module
// whose packets x packet_interval exceeds timeout, since its last echo could
// not be answered in time.
void CheckIcmpRunFits(ConfigReader& r, const YAML::Node& icmp, const std::string& path, const IcmpModule& m,
                      std::chrono::milliseconds timeout);

// The module's `icmp:` keys as YAML, for /probe?debug=true (nothing in it is secret).
std::string IcmpModuleText(const IcmpModule& m);

// An icmp target is a host name or an IP address, without a port (blackbox
// resolves it as it is). False, with *why, for anything else.
bool ValidIcmpTarget(const std::string& target, std::string* why);

}  // namespace hostwatch
