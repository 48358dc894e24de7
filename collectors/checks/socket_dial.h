// The steps a prober that drives its own socket (tcp, dns) takes before it
// talks to its peer, as blackbox's probers take them: choose an address from
// the target's lookup (prober/utils.go, chooseProtocol), open a non-blocking
// socket bound to source_ip_address, connect, and write through TLS or not.
// Each is one call that never blocks; the runs keep their own state machines.
//
// Functions of their arguments and the descriptors given; used by one run on
// the scheduler thread.
#pragma once

#include <cstddef>
#include <string>

#include "collectors/checks/address_lookup.h"
#include "collectors/checks/http/probe_result.h"
#include "collectors/checks/target_policy.h"
#include "collectors/checks/tcp/tls_client.h"

namespace hostwatch {

// After the lookup finished: blackbox's choice of address (ChosenAddress),
// recorded in *result (SetResolvedAddress, and a log line). nullptr, with
// *error ("resolving <host>: ..."), when there is none.
const ResolvedAddress* ChooseTarget(const AddressLookup& lookup, const std::string& host,
                                    const std::string& preferred_ip_protocol, bool fallback, ProbeResult* result,
                                    std::string* error);

// "" when guard lets the run reach address on port (always without a
// policy); else the run's error: "connection to <ip>:<port> (resolved from
// <host>) refused: <why>", for reason target_not_allowed. port 0 (icmp): any
// port, and none shown.
std::string GuardRefusal(const AddressGuard& guard, const ResolvedAddress& address, int port, const std::string& host);

// ChooseTarget, then guard (GuardRefusal) on the chosen address: nullptr,
// with *reason (dns, target_not_allowed) and *error, when there is none or it
// is refused.
const ResolvedAddress* ChooseAllowedTarget(const AddressLookup& lookup, const std::string& host, int port,
                                           const std::string& preferred_ip_protocol, bool fallback,
                                           const AddressGuard& guard, ProbeResult* result, FailureReason* reason,
                                           std::string* error);

// How every socket run ends: success or reason and error, the run's duration,
// and a log line for a failure.
void FinishResult(ProbeResult* result, bool success, FailureReason reason, std::string error, double duration_seconds);

// Opens a non-blocking socket of type (SOCK_STREAM, SOCK_DGRAM) for address,
// bound to source_ip (when not empty), and connects it. Returns the
// descriptor with *in_progress set when the connect is still under way, or -1
// with *error when it failed (the run's reason is then connect).
int StartConnect(const ResolvedAddress& address, int type, const std::string& source_ip, bool* in_progress,
                 std::string* error);

// After the socket became writable: "" when the connect succeeded, else why not.
std::string ConnectError(int fd);

// Writes out from *written on, through tls when not null; kDone when all is
// written, kWantRead/kWantWrite to wait, kFailed (errno or tls->error() says why).
TlsClient::Io WriteSome(int fd, TlsClient* tls, const std::string& out, std::size_t* written);

}  // namespace hostwatch
