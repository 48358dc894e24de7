// A whole HTTP probe run on the calling thread, for ad-hoc /probe targets
// (served on an HTTP worker, not by the check scheduler).
//
// Thread-safe: any number of threads may run probes at once. Each run drives
// its own libcurl multi handle, taken from a small process-wide pool of idle
// ones and given back when the run ends.
#pragma once

#include <atomic>
#include <chrono>

#include "collectors/checks/check_config.h"
#include "collectors/checks/curl_run.h"
#include "collectors/checks/http/probe_result.h"
#include "collectors/checks/target_policy.h"

namespace hostwatch {

// Runs one probe of config to completion. Bounded by config.timeout, or
// sooner when *abort becomes true (checked every 100 ms; the result then
// fails with reason other). ad_hoc: the allow-list and module URL an ad-hoc
// target is held to on every hop (see ProbeRun); null for none. config and
// ad_hoc need only live for the call.
ProbeResult RunProbeBlocking(const HttpCheckConfig& config, const AdHocTargetRules* ad_hoc,
                             const std::atomic<bool>* abort = nullptr);

// The same for any libcurl run (a gRPC health check): drives run to its end,
// bounded by its own timeout (plus a backstop) or *abort.
ProbeResult RunCurlBlocking(CurlRun& run, std::chrono::milliseconds timeout, const std::atomic<bool>* abort = nullptr);

}  // namespace hostwatch
