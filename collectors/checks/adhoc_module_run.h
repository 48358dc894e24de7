// Ad-hoc /probe runs of the probers other than http (tcp, dns, icmp, grpc):
// which host and port the allow-list judges for a target, and the run itself
// on the calling thread, with the scheduler's own run state machines.
//
// The allow-list (target_policy.h) judges the target's host and port first
// (a name entry, or "judge by address"), then every address the run resolved
// before any packet leaves for it: the socket runs before connect() or the
// first echo (socket_dial.h's GuardRefusal), gRPC on libcurl's socket
// callback (http/curl_guard.h). So a name that resolves to a protected or
// unlisted address is refused with reason target_not_allowed and the peer
// sees nothing.
//
// Thread-safe: pure functions; a run belongs to the call that drives it.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/http/probe_result.h"
#include "collectors/checks/module_checks.h"
#include "collectors/checks/target_policy.h"

namespace hostwatch {

// The host and port of a target of module (not http) as the allow-list
// matches them: tcp and grpc host:port, dns host[:port] (53, or 853 with
// dns_over_tls), icmp a host with port 0 (only entries without a port match).
// The host in lower case, without a trailing dot. nullopt with *why when the
// target does not suit the module, its port is not a number, or its host is
// not ASCII (names are resolved as written, never as IDN).
std::optional<TargetHost> ModuleTargetHost(const CheckModule& module, const std::string& target, std::string* why);

// Runs spec (a module check of another prober than http) once now, held to
// guard, and returns its result; ends by spec.timeout, or at once when *abort
// becomes true (reason other).
ProbeResult RunModuleProbe(const CheckSpec& spec, AddressGuard guard, const std::atomic<bool>* abort);

}  // namespace hostwatch
