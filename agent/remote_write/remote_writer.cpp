#include "agent/remote_write/remote_writer.h"

#include <algorithm>
#include <cstdio>

#include "agent/logging.h"
#include "agent/remote_write/remote_writer_state.h"
#include "agent/remote_write/wire.h"
#include "collectors/core/strings.h"

namespace hostwatch::remote_write {
namespace {

using Clock = std::chrono::steady_clock;


std::int64_t NowMs() { return static_cast<std::int64_t>(WallClockSeconds() * 1000); }

// A segment is about a sixteenth of the cap: dropping one loses little, and there are few files.
std::int64_t SegmentBytes(std::int64_t max_bytes) {
  return std::clamp<std::int64_t>(max_bytes / 16, 64 << 10, 16 << 20);
}

}  // namespace

std::string ReaderId(const Endpoint& e) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64 of "name\nurl"
  for (unsigned char c : e.name + "\n" + e.url) {
    h = (h ^ c) * 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

RemoteWriter::RemoteWriter(GatherFn gather, HttpChecker& checker)
    : gather_(std::move(gather)), checker_(checker), waker_(std::make_shared<Waker>()) {}

RemoteWriter::~RemoteWriter() { Stop(); }

Status RemoteWriter::Update(const RemoteWriteConfig& config) {
  if (!config.enabled) {
    Stop();
    std::lock_guard<std::mutex> lock(mu_);
    endpoints_.clear();
    log_.reset();
    config_ = config;
    return Status::OK();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!log_ || config.buffer_directory != config_.buffer_directory ||
      config.buffer_max_bytes != config_.buffer_max_bytes) {
    Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(
        config.buffer_directory, config.buffer_max_bytes, SegmentBytes(config.buffer_max_bytes));
    if (!log.ok()) {
      return Status::Error("remote_write.buffer.directory: " + log.status().message());
    }
    endpoints_.clear();  // their positions are in the old directory
    log_ = std::move(log).value();
    const LogCounters c = log_->Counters();
    if (c.corrupt_records + c.bad_segments > 0) {
      logging::Warn("remote_write buffer: skipped a corrupt tail or segment",
                    {{"directory", config.buffer_directory},
                     {"corrupt_records", c.corrupt_records},
                     {"bad_segments", c.bad_segments}});
    }
  }
  std::map<std::string, std::unique_ptr<EndpointState>> next;
  for (const Endpoint& e : config.endpoints) {
    const std::string id = ReaderId(e);
    auto it = endpoints_.find(id);
    std::unique_ptr<EndpointState> state =
        it != endpoints_.end() ? std::move(it->second) : std::make_unique<EndpointState>();
    state->config = e;
    state->id = id;
    log_->AddReader(id);
    next[id] = std::move(state);
  }
  for (const std::string& id : log_->Readers()) {
    if (next.count(id) == 0) {
      log_->RemoveReader(id);  // an endpoint removed (or renamed): its backlog goes with it
    }
  }
  endpoints_ = std::move(next);
  config_ = config;
  if (!thread_.joinable()) {
    stop_ = false;
    next_gather_ = Clock::now();
    thread_ = std::thread([this] { Loop(); });
  }
  waker_->Wake();
  return Status::OK();
}

void RemoteWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  waker_->Wake();
  if (thread_.joinable()) {
    thread_.join();
  }
}

Clock::time_point RemoteWriter::NextWake() const {
  Clock::time_point wake = next_gather_;
  for (const auto& [id, e] : endpoints_) {
    if (!e->transfer && e->retry_at > Clock::now()) {
      wake = std::min(wake, e->retry_at);
    }
  }
  return wake;
}

void RemoteWriter::Loop() {
  while (true) {
    Clock::time_point wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) {
        return;
      }
      wake = NextWake();
    }
    {
      std::unique_lock<std::mutex> lock(waker_->mu);
      waker_->cv.wait_until(lock, wake, [&] { return waker_->woken; });
      waker_->woken = false;
    }
    Clock::time_point now = Clock::now();
    bool gather_due;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) {
        return;
      }
      gather_due = now >= next_gather_;
      if (gather_due) {
        // The next gather keeps the phase; after a stall it is one interval from now, not a burst.
        next_gather_ = std::max(next_gather_ + config_.interval, now);
      }
    }
    if (gather_due) {
      GatherOnce();
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, e] : endpoints_) {
      Pump(*e, Clock::now());
    }
  }
}

void RemoteWriter::GatherOnce() {
  const std::int64_t at_ms = NowMs();
  // Without mu_: the gather asks every source, this one's Collect included.
  std::vector<prometheus::MetricFamily> families = gather_();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Series> series = FamiliesToSeries(families, at_ms, config_.external_labels);
  if (Status s = log_->Append(static_cast<std::uint32_t>(series.size()), EncodeWriteRequest(series)); !s.ok()) {
    ++gathers_failed_;
    logging::Warn("remote_write: cannot append to the buffer", {{"err", s.message()}});
    return;
  }
  highest_timestamp_seconds_ = static_cast<double>(at_ms) / 1000;
}

void RemoteWriter::Pump(EndpointState& e, Clock::time_point now) {
  if (e.transfer) {
    if (!e.transfer->done()) {
      return;
    }
    Finish(e, now);
  }
  if (now < e.retry_at) {
    return;
  }
  StartBatch(e);
}

}  // namespace hostwatch::remote_write
