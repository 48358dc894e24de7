#include "collectors/checks/socket_runner.h"

#include <algorithm>
#include <utility>

namespace hostwatch {

std::optional<SocketRunner::Finished> SocketRunner::Add(CheckKey key, std::string fingerprint,
                                                        std::unique_ptr<SocketRun> run, Clock::time_point now) {
  if (run->Advance(0, now)) {
    return Finished{std::move(key), std::move(fingerprint), run->TakeResult()};
  }
  runs_.push_back(Entry{std::move(key), std::move(fingerprint), std::move(run)});
  return std::nullopt;
}

std::vector<pollfd> SocketRunner::Waits(Clock::time_point* earliest_deadline) const {
  std::vector<pollfd> fds;
  *earliest_deadline = Clock::time_point::max();
  for (const Entry& e : runs_) {
    const SocketRun::Wait w = e.run->NextWait();
    *earliest_deadline = std::min(*earliest_deadline, w.deadline);
    if (w.fd >= 0) {
      fds.push_back(pollfd{w.fd, w.events, 0});
    }
  }
  return fds;
}

std::vector<SocketRunner::Finished> SocketRunner::Advance(const std::vector<pollfd>& polled, Clock::time_point now) {
  std::vector<Finished> done;
  std::vector<Entry> still;
  std::size_t next = 0;  // polled holds the runs' descriptors in the runs' order (Waits)
  for (Entry& e : runs_) {
    const SocketRun::Wait w = e.run->NextWait();
    short revents = 0;
    if (w.fd >= 0 && next < polled.size() && polled[next].fd == w.fd) {
      revents = polled[next++].revents;
    }
    // Only runs with news or past their deadline move; the rest keep waiting untouched.
    if ((revents != 0 || now >= w.deadline) && e.run->Advance(revents, now)) {
      done.push_back(Finished{std::move(e.key), std::move(e.fingerprint), e.run->TakeResult()});
    } else {
      still.push_back(std::move(e));
    }
  }
  runs_ = std::move(still);
  return done;
}

void SocketRunner::DropIf(const std::function<bool(const CheckKey&, const std::string&)>& drop) {
  runs_.erase(std::remove_if(runs_.begin(), runs_.end(), [&](const Entry& e) { return drop(e.key, e.fingerprint); }),
              runs_.end());
}

}  // namespace hostwatch
