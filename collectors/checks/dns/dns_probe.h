// One run of a dns check, as blackbox_exporter 0.28's prober/dns.go runs it,
// as a non-blocking state machine the checker's scheduler drives
// (socket_run.h): resolve the target's host (blackbox's choice of address
// family), open a socket (from source_ip_address if set), over TCP connect
// and, with dns_over_tls, do the TLS handshake; send the query (ldns,
// dns_message.h) and wait for its answer, then judge it (dns_verdict.h).
//
// UDP: one datagram out; datagrams that are not the answer (another id, not a
// response, another question, not DNS at all) are ignored and the run keeps
// waiting until the timeout, so a stray or late datagram cannot fail or pass
// it. TCP (and TLS): the query and the answer carry a 2-byte length prefix; a
// message that is not the answer fails the run (reason protocol).
//
// Failure reasons: dns (the target's host did not resolve), connect (refused,
// unreachable, ICMP port unreachable on UDP, bad source address), tls,
// tls_verify, timeout, protocol (a malformed answer over TCP, a connection
// closed early), status_code (rcode not in valid_rcodes), regex (a
// validate_*_rrs rule), other (a target with a bad port).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "collectors/checks/dns/dns_module.h"
#include "collectors/checks/socket_dial.h"
#include "collectors/checks/socket_run.h"

namespace hostwatch {

// Starts a run of module against target ("host", "host:port", "[v6]:port", "::1") now. An ad-hoc
// run's guard refuses a resolved address outside the allow-list before any query is sent.
std::unique_ptr<SocketRun> StartDnsRun(std::shared_ptr<const DnsModule> module, const std::string& target,
                                       std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                       AddressGuard guard = {});

}  // namespace hostwatch
