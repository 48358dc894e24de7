// A whole socket-prober run (tcp, dns, icmp: socket_run.h) on the calling
// thread, for ad-hoc /probe targets served on an HTTP worker rather than by
// the check scheduler. The run is the scheduler's own state machine; only
// the polling loop is the caller's.
//
// Thread-safe: a run belongs to the one call that drives it.
#pragma once

#include <atomic>

#include "collectors/checks/socket_run.h"

namespace hostwatch {

// Drives run to its end (it always ends by its own deadline, socket_run.h),
// or sooner when *abort becomes true (checked at least every 100 ms; the
// result then fails with reason other).
ProbeResult RunSocketBlocking(SocketRun& run, const std::atomic<bool>* abort = nullptr);

}  // namespace hostwatch
