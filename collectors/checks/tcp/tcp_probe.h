// One run of a tcp check, as blackbox_exporter 0.28's prober/tcp.go runs it,
// as a non-blocking state machine the checker's scheduler drives
// (socket_run.h): resolve the target's host (blackbox's choice of address
// family), connect (from source_ip_address if set), TLS at once when tls:
// true, then the query_response steps in order: read lines until one matches
// `expect` (a connection closed first fails with probe_failed_due_to_regex 1),
// send `send` + "\n" with the match's ${1}/${name} filled in, and upgrade to
// TLS on `starttls`. Everything happens before the check's timeout or the run
// fails with reason timeout.
//
// Failure reasons: dns (no address), connect (refused, unreachable, bad
// source address), tls (handshake), tls_verify (certificate or name), regex
// (no line matched before the peer closed), timeout, protocol (a line over
// 64 KiB, a reset connection), other (a target without a port).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "collectors/checks/socket_dial.h"
#include "collectors/checks/socket_run.h"
#include "collectors/checks/tcp/tcp_module.h"

namespace hostwatch {

// Starts a run of module against target ("host:port", "[v6]:port") now. An
// ad-hoc run's guard refuses a resolved address outside the allow-list before
// connecting (reason target_not_allowed).
std::unique_ptr<SocketRun> StartTcpRun(std::shared_ptr<const TcpModule> module, const std::string& target,
                                       std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                       AddressGuard guard = {});

}  // namespace hostwatch
