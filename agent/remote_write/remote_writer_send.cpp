// RemoteWriter's sending half: cutting the next batch from the log and
// deciding about an answer (commit, retry after a backoff, or drop). See
// remote_writer.h for the rules.
#include <algorithm>
#include <span>

#include "agent/logging.h"
#include "agent/remote_write/remote_writer.h"
#include "agent/remote_write/relabel.h"
#include "agent/remote_write/remote_writer_state.h"
#include "agent/remote_write/wire.h"
#include "collectors/core/curl_api.h"

namespace hostwatch::remote_write {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool Retryable(const PushResult& r) { return r.status == 0 || r.status == 429 || r.status >= 500; }

// Returns how many samples the endpoint's write_relabel_configs dropped.
std::uint64_t RelabelSeries(std::span<const RelabelRule> rules, std::vector<Series>& series) {
  if (rules.empty()) {
    return 0;
  }
  return std::erase_if(series, [&](Series& s) { return !Relabel(rules, s.labels); });
}

std::string Describe(const PushResult& r) {
  if (r.status == 0) {
    return r.error;
  }
  return "HTTP " + std::to_string(r.status) + (r.body_start.empty() ? "" : ": " + r.body_start);
}

}  // namespace

void RemoteWriter::StartBatch(EndpointState& e) {
  if (e.next >= e.series.size()) {
    e.record.reset();
    std::optional<LogRecord> rec = log_->Peek(e.id);
    if (!rec) {
      e.state = "idle";
      return;
    }
    std::optional<std::vector<Series>> series = DecodeWriteRequest(rec->payload);
    if (!series) {  // intact by its CRC but not a WriteRequest: nothing any receiver could take
      e.failed += rec->samples;
      log_->Commit(e.id, rec->next, rec->samples);
      waker_->Wake();  // the next record, on the next turn
      return;
    }
    e.relabel_dropped += RelabelSeries(e.config.write_relabel_configs, *series);
    e.record = std::move(rec);
    e.series = std::move(*series);
    e.next = 0;
    if (e.series.empty()) {
      log_->Commit(e.id, e.record->next, e.record->samples);
      waker_->Wake();
      return;
    }
  }
  e.batch_end = std::min(e.series.size(), e.next + static_cast<std::size_t>(e.config.queue.max_samples_per_send));
  std::vector<Series> batch(e.series.begin() + static_cast<std::ptrdiff_t>(e.next),
                            e.series.begin() + static_cast<std::ptrdiff_t>(e.batch_end));
  e.batch_highest_ms = 0;
  for (const Series& s : batch) {
    e.batch_highest_ms = std::max(e.batch_highest_ms, s.sample.timestamp_ms);
  }
  std::string body = EncodeWriteRequest(batch);
  e.batch_bytes = body.size();
  std::string load_error;
  const CurlApi* curl = LoadCurl(&load_error);
  std::shared_ptr<Waker> waker = waker_;
  auto transfer = curl == nullptr ? nullptr
                                  : std::make_shared<PushTransfer>(*curl, e.config, std::move(body),
                                                                   [waker] { waker->Wake(); });
  if (transfer == nullptr || transfer->handle() == nullptr || !checker_.StartTransfer(transfer)) {
    e.state = "failing";
    e.last_error = curl == nullptr ? load_error : "cannot start a transfer";
    e.retry_at = Clock::now() + e.config.queue.max_backoff;
    return;
  }
  e.transfer = std::move(transfer);
  e.state = "sending";
}

void RemoteWriter::Finish(EndpointState& e, Clock::time_point now) {
  const PushResult r = e.transfer->result();
  e.transfer.reset();
  const std::uint64_t n = e.batch_end - e.next;
  if (Retryable(r)) {
    e.retried += n;
    e.backoff = e.backoff.count() == 0 ? e.config.queue.min_backoff
                                       : std::min(e.backoff * 2, e.config.queue.max_backoff);
    // Retry-After is the receiver's word on when to come back; it overrides the backoff.
    const milliseconds wait = r.retry_after ? std::chrono::duration_cast<milliseconds>(*r.retry_after) : e.backoff;
    e.retry_at = now + wait;
    e.state = "retrying";
    e.last_error = Describe(r);
    if (!e.retry_logged) {
      e.retry_logged = true;
      logging::Warn("remote_write: cannot deliver a batch; keeping it and retrying",
                    {{"remote_name", e.config.name}, {"err", e.last_error}, {"samples", n}});
    }
    return;
  }
  e.backoff = milliseconds(0);
  e.retry_logged = false;  // the receiver answered: the next retry starts a new outage
  e.samples += n;
  if (r.status >= 200 && r.status < 300) {
    e.bytes += e.batch_bytes;
    e.highest_sent_seconds = std::max(e.highest_sent_seconds, static_cast<double>(e.batch_highest_ms) / 1000);
    e.failure_logged = false;
    e.state = "sending";
  } else {
    // 4xx (and 1xx/3xx, which a write endpoint does not answer): sending again would fail again.
    e.failed += n;
    e.last_error = Describe(r);
    e.state = "failing";
    if (!e.failure_logged) {
      e.failure_logged = true;
      logging::Warn("remote_write: the receiver refused a batch; dropped, not retried",
                    {{"remote_name", e.config.name},
                     {"status", static_cast<std::uint64_t>(r.status)},
                     {"message", r.body_start},
                     {"samples", n}});
    }
  }
  e.next = e.batch_end;
  if (e.next >= e.series.size() && e.record) {
    if (Status s = log_->Commit(e.id, e.record->next, e.record->samples); !s.ok()) {
      logging::Warn("remote_write: cannot persist the send position", {{"err", s.message()}});
    }
  }
}

}  // namespace hostwatch::remote_write
