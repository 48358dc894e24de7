// CurlTransfer: a libcurl transfer of another part of the agent (remote_write
// pushes) that rides the checker's one multi handle and scheduler thread
// (HttpChecker::StartTransfer): no second HTTP client, no thread blocking on
// the network.
//
// Contract: the submitter sets up handle() completely before StartTransfer;
// the scheduler adds it to its multi handle and, when libcurl reports it done
// (or the checker stops: CURLE_ABORTED_BY_CALLBACK), removes it and calls
// OnDone once on the scheduler thread. OnDone must be quick and must not call
// back into the checker. The transfer object is kept alive until then.
#pragma once

#include <curl/curl.h>

namespace hostwatch {

class CurlTransfer {
 public:
  virtual ~CurlTransfer() = default;
  virtual CURL* handle() const = 0;
  virtual void OnDone(CURLcode code) = 0;
};

}  // namespace hostwatch
