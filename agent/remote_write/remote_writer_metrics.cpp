// RemoteWriter's self metrics (Prometheus' own names and labels, so its
// remote_write dashboards and alerts work unchanged) and the status page rows.
#include <algorithm>

#include "agent/remote_write/remote_writer.h"
#include "agent/remote_write/remote_writer_state.h"

namespace hostwatch::remote_write {
namespace {

const std::vector<std::string> kLabels = {"remote_name", "url"};

const MetricDesc kSamples{"prometheus_remote_storage_samples_total",
                          "Total number of samples sent to remote storage.", MetricType::Counter, kLabels};
const MetricDesc kFailed{"prometheus_remote_storage_samples_failed_total",
                         "Total number of samples which failed on send to remote storage, non-recoverable errors.",
                         MetricType::Counter, kLabels};
const MetricDesc kRetried{"prometheus_remote_storage_samples_retried_total",
                          "Total number of samples which failed on send to remote storage but were retried because "
                          "the send error was recoverable.",
                          MetricType::Counter, kLabels};
const MetricDesc kDropped{"prometheus_remote_storage_samples_dropped_total",
                          "Total number of samples which were dropped after being read from the buffer: here, the "
                          "samples of segments deleted past buffer.max_bytes before they were sent, and the samples "
                          "write_relabel_configs dropped.",
                          MetricType::Counter, kLabels};
const MetricDesc kBytes{"prometheus_remote_storage_bytes_total",
                        "The total number of bytes of data (not metadata) sent by the queue after compression.",
                        MetricType::Counter, kLabels};
const MetricDesc kHighestSent{"prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
                              "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in "
                              "seconds since epoch.",
                              MetricType::Gauge, kLabels};
const MetricDesc kPending{"prometheus_remote_storage_samples_pending",
                          "The number of samples pending in the queues shards to be sent to the remote storage.",
                          MetricType::Gauge, kLabels};
const MetricDesc kShards{"prometheus_remote_storage_shards", "The number of shards used for parallel sending to the "
                         "remote storage.", MetricType::Gauge, kLabels};
const MetricDesc kHighest{"prometheus_remote_storage_highest_timestamp_in_seconds",
                          "Highest timestamp that has come into the remote storage via the Appender interface, in "
                          "seconds since epoch.",
                          MetricType::Gauge, {}};
const MetricDesc kCorrupt{"hostwatch_remote_write_buffer_corrupt_records_total",
                          "Torn or corrupt records of the remote_write buffer that were cut off or skipped, and "
                          "segments without the format's magic that were set aside.",
                          MetricType::Counter, {}};
const MetricDesc kAppendFailed{"hostwatch_remote_write_gathers_failed_total",
                               "Gathers that could not be appended to the remote_write buffer (disk full, I/O "
                               "error): their samples are lost for every endpoint.",
                               MetricType::Counter, {}};
const MetricDesc kBufferBytes{"hostwatch_remote_write_buffer_bytes",
                              "Bytes in the remote_write buffer's segment files.", MetricType::Gauge, {}};

}  // namespace

void RemoteWriter::Collect(MetricSink& sink) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!log_) {
    return;  // remote_write is off: no families, as Prometheus without remote_write
  }
  sink.Add(kHighest, highest_timestamp_seconds_);
  const LogCounters c = log_->Counters();
  sink.Add(kCorrupt, static_cast<double>(c.corrupt_records + c.bad_segments));
  sink.Add(kBufferBytes, static_cast<double>(log_->TotalBytes()));
  sink.Add(kAppendFailed, static_cast<double>(gathers_failed_));
  for (const auto& [id, e] : endpoints_) {
    const std::vector<std::string> labels = {e->config.name, e->config.url};
    sink.Add(kSamples, static_cast<double>(e->samples), labels);
    sink.Add(kFailed, static_cast<double>(e->failed), labels);
    sink.Add(kRetried, static_cast<double>(e->retried), labels);
    sink.Add(kDropped, static_cast<double>(log_->DroppedSamples(id) + e->relabel_dropped), labels);
    sink.Add(kBytes, static_cast<double>(e->bytes), labels);
    sink.Add(kHighestSent, e->highest_sent_seconds, labels);
    const std::uint64_t pending = log_->PendingSamples(id);
    sink.Add(kPending, static_cast<double>(pending - std::min<std::uint64_t>(pending, e->next)), labels);
    sink.Add(kShards, 1, labels);
  }
}

std::vector<EndpointStatus> RemoteWriter::Statuses() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<EndpointStatus> out;
  for (const auto& [id, e] : endpoints_) {
    EndpointStatus s;
    s.name = e->config.name;
    s.url = e->config.url;
    s.state = e->state;
    s.lag_seconds = e->highest_sent_seconds > 0 ? std::max(0.0, highest_timestamp_seconds_ - e->highest_sent_seconds) : 0;
    s.last_error = e->last_error;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hostwatch::remote_write
