// BackgroundRefresh: one thread that runs a job (a refresh that does file I/O
// and so can block forever in the kernel on a dead NFS or FUSE mount) when a
// caller asks for it, so that the caller (a scrape on an HTTP thread) waits at
// most a bound for it and is never hung by the mount.
//
// Contract:
//  - at most one job runs at a time, always on the same thread: requests that
//    come while a job runs are served together by the next one;
//  - RequestAndWait(bound) asks for a job that starts after the call and waits
//    at most `bound` for it; a job still running then is "stuck", and later
//    calls do not wait for it again (they return false at once) until it
//    returns;
//  - Start() starts the thread, or keeps the one still alive (a stopped thread
//    blocked in a job is reused rather than joined by a second one, so stop and
//    start cycles never add threads on the same hang); Stop() lets it exit
//    after the job it runs;
//  - the destructor never waits for a blocked job: that thread is detached and
//    exits when the job returns. The job must therefore only touch state it
//    co-owns (a shared_ptr it captured), never the object that made it.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace hostwatch {

class BackgroundRefresh {
 public:
  using Job = std::function<void()>;

  explicit BackgroundRefresh(Job job);
  ~BackgroundRefresh();
  BackgroundRefresh(const BackgroundRefresh&) = delete;
  BackgroundRefresh& operator=(const BackgroundRefresh&) = delete;
  BackgroundRefresh(BackgroundRefresh&&) = delete;
  BackgroundRefresh& operator=(BackgroundRefresh&&) = delete;

  void Start();
  void Stop();

  // True when a job that started after this call finished within `bound`.
  // False when it did not (the job is stuck, or the thread is stopped).
  bool RequestAndWait(std::chrono::milliseconds bound);

  // A job overran a RequestAndWait and has not returned yet.
  bool Stuck() const;

 private:
  struct State;
  static void Loop(std::shared_ptr<State> state);

  const std::shared_ptr<State> state_;
  std::mutex thread_mu_;  // serializes Start, Stop and the destructor around thread_
  std::thread thread_;    // Guarded by thread_mu_.
};

}  // namespace hostwatch
