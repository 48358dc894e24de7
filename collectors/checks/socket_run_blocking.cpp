#include "collectors/checks/socket_run_blocking.h"

#include <poll.h>

#include <algorithm>
#include <chrono>

namespace hostwatch {

ProbeResult RunSocketBlocking(SocketRun& run, const std::atomic<bool>* abort) {
  using Clock = SocketRun::Clock;
  constexpr std::chrono::milliseconds kAbortCheck{100};
  // As the scheduler's SocketRunner: a first Advance starts the run, later ones
  // come when its descriptor is ready or its wait's deadline has passed.
  bool done = run.Advance(0, Clock::now());
  while (!done) {
    if (abort != nullptr && abort->load()) {
      ProbeResult result = run.TakeResult();
      result.success = false;
      result.reason = FailureReason::kOther;
      result.error = "aborted: the agent is shutting down";
      return result;
    }
    const SocketRun::Wait w = run.NextWait();
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(w.deadline - Clock::now());
    pollfd fd{w.fd, w.events, 0};  // fd -1: poll only sleeps
    poll(&fd, 1, static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), kAbortCheck).count()));
    const Clock::time_point now = Clock::now();
    if (fd.revents != 0 || now >= w.deadline) {
      done = run.Advance(fd.revents, now);
    }
  }
  return run.TakeResult();
}

}  // namespace hostwatch
