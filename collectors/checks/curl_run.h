// CurlRun: one run of a prober that is a libcurl transfer (HTTP checks, gRPC
// health checks), driven by the checker's scheduler on its one multi handle
// beside the socket runs (socket_run.h): no second HTTP client, no thread
// per run.
//
// Contract, per run: the scheduler adds handle() to its multi handle (a null
// handle means the run already finished: take the result); when libcurl
// reports the transfer done it removes the handle and calls
// OnTransferDone(): true means the run set up another transfer on the same
// handle (a redirect hop, an address-family fallback) and the scheduler adds
// it again; false means the run is finished and TakeResult() is taken once.
// The run's own CURLOPT_TIMEOUT_MS ends it by the check's timeout.
//
// Not thread-safe: only the thread that drives the transfer touches a run.
#pragma once

#include <curl/curl.h>

#include "collectors/checks/http/probe_result.h"

namespace hostwatch {

class CurlRun {
 public:
  virtual ~CurlRun() = default;
  virtual CURL* handle() const = 0;
  virtual bool OnTransferDone(CURLcode code) = 0;
  virtual ProbeResult TakeResult() = 0;
};

}  // namespace hostwatch
