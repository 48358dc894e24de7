// The parts of RemoteWriter its three files share (remote_writer.cpp: the
// loop and configuration; remote_writer_send.cpp: batches and answers;
// remote_writer_metrics.cpp: self metrics and status). Internal.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/remote_write/remote_writer.h"

namespace hostwatch::remote_write {

// How the checker's scheduler thread wakes the writer: shared with every transfer, so one that
// ends after the writer is gone (the checker stops later) touches nothing freed.
struct RemoteWriter::Waker {
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu);
      woken = true;
    }
    cv.notify_all();
  }
};

struct RemoteWriter::EndpointState {
  Endpoint config;
  std::string id;
  // The log record being sent, decoded; next: its first series not yet sent.
  std::optional<LogRecord> record;
  std::vector<Series> series;
  std::size_t next = 0;
  // The batch in flight.
  std::shared_ptr<PushTransfer> transfer;
  std::size_t batch_end = 0;
  std::uint64_t batch_bytes = 0;
  std::int64_t batch_highest_ms = 0;
  std::chrono::steady_clock::time_point retry_at{};
  std::chrono::milliseconds backoff{0};
  bool failure_logged = false;
  bool retry_logged = false;  // one warning per outage: set by the first retry, cleared by a delivery or a refusal
  std::string state = "idle";
  std::string last_error;
  // Counters of prometheus_remote_storage_*.
  std::uint64_t samples = 0, failed = 0, retried = 0, bytes = 0;
  std::uint64_t relabel_dropped = 0;  // samples write_relabel_configs dropped (part of samples_dropped_total)
  double highest_sent_seconds = 0;
};

}  // namespace hostwatch::remote_write
