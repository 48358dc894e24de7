// RemoteWriter: the remote_write push. Every `interval` it gathers the agent's
// own /metrics content (the gather function the agent serves /metrics with),
// converts it to series (series.h), appends it to the segment log
// (segment_log.h) and then lets each endpoint send what it has not sent yet,
// oldest first, max_samples_per_send samples per request.
//
// Delivery: a 2xx answer moves the endpoint's persisted position on. 5xx,
// 429 and no answer at all (connection refused, timeout) are retried after a
// backoff that starts at min_backoff and doubles up to max_backoff, or after
// Retry-After when the receiver sends one. Any other 4xx drops the batch
// (counted in samples_failed_total, logged once per run of failures with the
// status and the start of the receiver's message): resending would fail again.
//
// Requests are libcurl transfers on the checker's multi handle
// (HttpChecker::StartTransfer); this class's one thread gathers, appends and
// starts transfers and never waits on the network.
//
// Update applies a new configuration: endpoints with the same name and URL
// keep their position (and backlog); removed ones lose theirs. Thread-safety:
// every public method may be called from any thread.
#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/remote_write/config.h"
#include "agent/remote_write/push_transfer.h"
#include "agent/remote_write/segment_log.h"
#include "agent/remote_write/series.h"
#include "collectors/checks/http_checker.h"
#include "collectors/core/metric_source.h"

namespace hostwatch::remote_write {

// One endpoint as the status page shows it.
struct EndpointStatus {
  std::string name;
  std::string url;    // as configured (credentials are never in it: basic_auth carries them)
  std::string state;  // "idle", "sending", "retrying", "failing"
  double lag_seconds = 0;  // newest logged timestamp minus newest sent one
  std::string last_error;
};

class RemoteWriter : public MetricSource {
 public:
  using GatherFn = std::function<std::vector<prometheus::MetricFamily>()>;

  RemoteWriter(GatherFn gather, HttpChecker& checker);
  ~RemoteWriter() override;
  RemoteWriter(const RemoteWriter&) = delete;
  RemoteWriter& operator=(const RemoteWriter&) = delete;

  // Starts, changes or (disabled) stops pushing. An error (the buffer directory cannot be used)
  // leaves the running configuration in place.
  Status Update(const RemoteWriteConfig& config);
  void Stop();

  // prometheus_remote_storage_* with Prometheus' names and labels.
  void Collect(MetricSink& sink) const override;
  std::vector<EndpointStatus> Statuses() const;

 private:
  struct EndpointState;
  struct Waker;
  void Loop();
  void GatherOnce();
  void Pump(EndpointState& e, std::chrono::steady_clock::time_point now);
  void Finish(EndpointState& e, std::chrono::steady_clock::time_point now);
  void StartBatch(EndpointState& e);
  std::chrono::steady_clock::time_point NextWake() const;  // mu_ held

  const GatherFn gather_;
  HttpChecker& checker_;
  const std::shared_ptr<Waker> waker_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  RemoteWriteConfig config_;
  std::unique_ptr<SegmentLog> log_;
  std::map<std::string, std::unique_ptr<EndpointState>> endpoints_;  // by reader id
  std::chrono::steady_clock::time_point next_gather_{};
  double highest_timestamp_seconds_ = 0;
  std::uint64_t gathers_failed_ = 0;
  std::thread thread_;
};

// The log reader id of an endpoint: name and URL hashed (a file name), so a reload that keeps both
// keeps the position.
std::string ReaderId(const Endpoint& e);

}  // namespace hostwatch::remote_write
