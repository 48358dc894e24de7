// One run of an icmp check, as blackbox_exporter 0.28's prober/icmp.go runs
// it, as a non-blocking state machine the checker's scheduler drives
// (socket_run.h): resolve the target (blackbox's choice of address family),
// open an ICMP socket (icmp_socket.h: datagram, else raw), send the echo
// request and wait for the matching reply: from the target, an echo reply
// with the run's sequence number and payload (and id, on a raw socket).
//
// hostwatch's extension (blackbox #115): with packets: N the run sends N
// echoes packet_interval apart and ends when each sent echo is answered or at
// the check's timeout; it succeeds when at least one reply came (for N = 1,
// blackbox's rule). Everything happens before the timeout.
//
// Failure reasons: dns (no address), timeout (no reply in time), connect (the
// kernel refused every send: no route, a blackhole or prohibit route, a
// payload over the path MTU with dont_fragment), other (no ICMP socket
// could be opened: see docs/checks-icmp.md on privileges).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "collectors/checks/icmp/icmp_module.h"
#include "collectors/checks/socket_dial.h"
#include "collectors/checks/socket_run.h"

namespace hostwatch {

// Starts a run of module against target (a host name or IP address) now. An ad-hoc run's guard
// refuses a resolved address outside the allow-list before the socket is opened.
std::unique_ptr<SocketRun> StartIcmpRun(std::shared_ptr<const IcmpModule> module, const std::string& target,
                                        std::chrono::milliseconds timeout, SocketRun::Clock::time_point now,
                                        AddressGuard guard = {});

}  // namespace hostwatch
