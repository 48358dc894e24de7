// SocketRunner: the runs in flight of the probers that drive their own
// sockets (socket_run.h), kept for the checker's scheduler thread, which
// polls their descriptors together with libcurl's and advances them here.
//
// Not thread-safe: the scheduler thread alone uses it.
#pragma once

#include <poll.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/checks/check_spec.h"
#include "collectors/checks/socket_run.h"

namespace hostwatch {

class SocketRunner {
 public:
  using Clock = SocketRun::Clock;

  struct Finished {
    CheckKey key;
    std::string fingerprint;
    ProbeResult result;
  };

  // Takes a started run; a run that finished at once (a target without a
  // port, a refused loopback connect) is returned at once instead.
  std::optional<Finished> Add(CheckKey key, std::string fingerprint, std::unique_ptr<SocketRun> run,
                              Clock::time_point now);

  std::size_t size() const { return runs_.size(); }

  // The descriptors to poll (one per run that waits on one; fd -1 entries are
  // left out) and the earliest deadline of all runs (max() when none).
  std::vector<pollfd> Waits(Clock::time_point* earliest_deadline) const;

  // After polling `polled` (as Waits gave it, with revents): advances the runs
  // that are ready or past their deadline and returns those that finished.
  std::vector<Finished> Advance(const std::vector<pollfd>& polled, Clock::time_point now);

  // Drops the runs for which drop(key, fingerprint) is true (a reload removed or changed their check).
  void DropIf(const std::function<bool(const CheckKey&, const std::string&)>& drop);
  void Clear() { runs_.clear(); }

 private:
  struct Entry {
    CheckKey key;
    std::string fingerprint;
    std::unique_ptr<SocketRun> run;
  };
  std::vector<Entry> runs_;
};

}  // namespace hostwatch
