// SocketRun: one run of a prober that drives its own sockets (tcp today; dns
// and icmp next), advanced by the checker's scheduler thread beside libcurl's
// transfers: the scheduler polls every run's descriptor together with
// libcurl's (curl_multi_poll's extra descriptors), so no run has a thread of
// its own and none can hold up the others. Every call returns at once.
//
// Contract, per run: the scheduler asks NextWait() before it sleeps, calls
// Advance() when the descriptor is ready or the wait's deadline has come
// (revents 0), and, once Advance() returned true, takes the result once. A
// run always finishes by its deadline (the check's timeout): Advance() at or
// after it ends the run with reason timeout.
//
// Not thread-safe: only the scheduler thread touches a run.
#pragma once

#include <chrono>

#include "collectors/checks/http/probe_result.h"

namespace hostwatch {

class SocketRun {
 public:
  using Clock = std::chrono::steady_clock;

  // What the run waits for: fd -1 means no descriptor, only the deadline.
  struct Wait {
    int fd = -1;
    short events = 0;  // POLLIN, POLLOUT
    Clock::time_point deadline;
  };

  virtual ~SocketRun() = default;
  virtual Wait NextWait() const = 0;
  // revents: what poll() reported for NextWait().fd (0 when woken by the deadline or another run).
  // True when the run is finished.
  virtual bool Advance(short revents, Clock::time_point now) = 0;
  virtual ProbeResult TakeResult() = 0;
};

}  // namespace hostwatch
