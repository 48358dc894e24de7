#include "collectors/host/mountstats.h"

#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "collectors/core/cached_file.h"
#include "collectors/core/strings.h"
#include "collectors/host/filesystem.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kLabels = {"export", "protocol", "mountaddr"};
const std::vector<std::string> kInfoLabels = {"export", "protocol", "mountaddr", "mountpoint"};
const std::vector<std::string> kOperationLabels = {"export", "protocol", "mountaddr", "operation"};
const std::vector<std::string> kTransportLabels = {"export", "protocol", "mountaddr", "transport"};

MetricDesc Nfs(const std::string& suffix, std::string help, const std::vector<std::string>& labels,
               MetricType type = MetricType::Counter) {
  return {"node_mountstats_nfs_" + suffix, std::move(help), type, labels};
}

const MetricDesc kAge = Nfs("age_seconds_total", "The age of the NFS mount in seconds.", kLabels);
const MetricDesc kMountpointInfo =
    Nfs("mountpoint_info", "Info metric for an NFS mountpoint.", kInfoLabels, MetricType::Gauge);

// The "bytes:" columns, in order.
const std::vector<MetricDesc> kBytes = {
    Nfs("read_bytes_total", "Number of bytes read using the read() syscall.", kLabels),
    Nfs("write_bytes_total", "Number of bytes written using the write() syscall.", kLabels),
    Nfs("direct_read_bytes_total", "Number of bytes read using the read() syscall in O_DIRECT mode.", kLabels),
    Nfs("direct_write_bytes_total", "Number of bytes written using the write() syscall in O_DIRECT mode.", kLabels),
    Nfs("total_read_bytes_total", "Number of bytes read from the NFS server, in total.", kLabels),
    Nfs("total_write_bytes_total", "Number of bytes written to the NFS server, in total.", kLabels),
    Nfs("read_pages_total", "Number of pages read directly via mmap()'d files.", kLabels),
    Nfs("write_pages_total", "Number of pages written directly via mmap()'d files.", kLabels),
};

// The "events:" columns node_exporter exports (all but 18, congestion waits), with upstream's
// HELP texts, the two copied ones (vfs_open, vfs_setattr) included.
struct EventColumn {
  std::size_t column;
  MetricDesc desc;
};
const std::vector<EventColumn> kEvents = {
    {0, Nfs("event_inode_revalidate_total", "Number of times cached inode attributes are re-validated from the server.",
            kLabels)},
    {1, Nfs("event_dnode_revalidate_total", "Number of times cached dentry nodes are re-validated from the server.",
            kLabels)},
    {2, Nfs("event_data_invalidate_total", "Number of times an inode cache is cleared.", kLabels)},
    {3, Nfs("event_attribute_invalidate_total", "Number of times cached inode attributes are invalidated.", kLabels)},
    {4, Nfs("event_vfs_open_total", "Number of times cached inode attributes are invalidated.", kLabels)},
    {5, Nfs("event_vfs_lookup_total", "Number of times a directory lookup has occurred.", kLabels)},
    {6, Nfs("event_vfs_access_total", "Number of times permissions have been checked.", kLabels)},
    {7, Nfs("event_vfs_update_page_total", "Number of updates (and potential writes) to pages.", kLabels)},
    {8, Nfs("event_vfs_read_page_total", "Number of pages read directly via mmap()'d files.", kLabels)},
    {9, Nfs("event_vfs_read_pages_total", "Number of times a group of pages have been read.", kLabels)},
    {10, Nfs("event_vfs_write_page_total", "Number of pages written directly via mmap()'d files.", kLabels)},
    {11, Nfs("event_vfs_write_pages_total", "Number of times a group of pages have been written.", kLabels)},
    {12, Nfs("event_vfs_getdents_total", "Number of times directory entries have been read with getdents().",
             kLabels)},
    {13, Nfs("event_vfs_setattr_total", "Number of times directory entries have been read with getdents().",
             kLabels)},
    {14, Nfs("event_vfs_flush_total", "Number of pending writes that have been forcefully flushed to the server.",
             kLabels)},
    {15, Nfs("event_vfs_fsync_total", "Number of times fsync() has been called on directories and files.", kLabels)},
    {16, Nfs("event_vfs_lock_total", "Number of times locking has been attempted on a file.", kLabels)},
    {17, Nfs("event_vfs_file_release_total", "Number of times files have been closed and released.", kLabels)},
    {19, Nfs("event_truncation_total", "Number of times files have been truncated.", kLabels)},
    {20, Nfs("event_write_extension_total",
             "Number of times a file has been grown due to writes beyond its existing end.", kLabels)},
    {21, Nfs("event_silly_rename_total", "Number of times a file was removed while still open by another process.",
             kLabels)},
    {22, Nfs("event_short_read_total", "Number of times the NFS server gave less data than expected while reading.",
             kLabels)},
    {23, Nfs("event_short_write_total", "Number of times the NFS server wrote less data than expected while writing.",
             kLabels)},
    {24, Nfs("event_jukebox_delay_total",
             "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage.", kLabels)},
    {25, Nfs("event_pnfs_read_total", "Number of NFS v4.1+ pNFS reads.", kLabels)},
    {26, Nfs("event_pnfs_write_total", "Number of NFS v4.1+ pNFS writes.", kLabels)},
};

// 2^53: upstream takes cumulative milliseconds and idle times modulo the float64 mantissa
// before converting, so that a counter near 2^64 does not lose its low digits in the float.
constexpr std::uint64_t kFloat64Mantissa = 9007199254740992ULL;

struct TransportColumn {
  std::uint64_t NfsTransportStats::*field;
  MetricDesc desc;
};
const std::vector<TransportColumn> kTransport = {
    {&NfsTransportStats::bind,
     Nfs("transport_bind_total",
         "Number of times the client has had to establish a connection from scratch to the NFS server.",
         kTransportLabels)},
    {&NfsTransportStats::connect,
     Nfs("transport_connect_total", "Number of times the client has made a TCP connection to the NFS server.",
         kTransportLabels)},
    {&NfsTransportStats::idle_time_seconds,
     Nfs("transport_idle_time_seconds", "Duration since the NFS mount last saw any RPC traffic, in seconds.",
         kTransportLabels, MetricType::Gauge)},
    {&NfsTransportStats::sends,
     Nfs("transport_sends_total", "Number of RPC requests for this mount sent to the NFS server.", kTransportLabels)},
    {&NfsTransportStats::receives,
     Nfs("transport_receives_total", "Number of RPC responses for this mount received from the NFS server.",
         kTransportLabels)},
    {&NfsTransportStats::bad_transaction_ids,
     Nfs("transport_bad_transaction_ids_total",
         "Number of times the NFS server sent a response with a transaction ID unknown to this client.",
         kTransportLabels)},
    {&NfsTransportStats::cumulative_backlog,
     Nfs("transport_backlog_queue_total", "Total number of items added to the RPC backlog queue.", kTransportLabels)},
    {&NfsTransportStats::maximum_rpc_slots,
     Nfs("transport_maximum_rpc_slots", "Maximum number of simultaneously active RPC requests ever used.",
         kTransportLabels, MetricType::Gauge)},
    {&NfsTransportStats::cumulative_sending_queue,
     Nfs("transport_sending_queue_total", "Total number of items added to the RPC transmission sending queue.",
         kTransportLabels)},
    {&NfsTransportStats::cumulative_pending_queue,
     Nfs("transport_pending_queue_total", "Total number of items added to the RPC transmission pending queue.",
         kTransportLabels)},
};

struct OperationColumn {
  std::uint64_t NfsOperationStats::*field;
  bool milliseconds;  // exported as seconds, taken modulo kFloat64Mantissa first
  MetricDesc desc;
};
const std::vector<OperationColumn> kOperations = {
    {&NfsOperationStats::requests, false,
     Nfs("operations_requests_total", "Number of requests performed for a given operation.", kOperationLabels)},
    {&NfsOperationStats::transmissions, false,
     Nfs("operations_transmissions_total",
         "Number of times an actual RPC request has been transmitted for a given operation.", kOperationLabels)},
    {&NfsOperationStats::major_timeouts, false,
     Nfs("operations_major_timeouts_total",
         "Number of times a request has had a major timeout for a given operation.", kOperationLabels)},
    {&NfsOperationStats::bytes_sent, false,
     Nfs("operations_sent_bytes_total",
         "Number of bytes sent for a given operation, including RPC headers and payload.", kOperationLabels)},
    {&NfsOperationStats::bytes_received, false,
     Nfs("operations_received_bytes_total",
         "Number of bytes received for a given operation, including RPC headers and payload.", kOperationLabels)},
    {&NfsOperationStats::queue_ms, true,
     Nfs("operations_queue_time_seconds_total",
         "Duration all requests spent queued for transmission for a given operation before they were sent, in "
         "seconds.",
         kOperationLabels)},
    {&NfsOperationStats::response_ms, true,
     Nfs("operations_response_time_seconds_total",
         "Duration all requests took to get a reply back after a request for a given operation was transmitted, "
         "in seconds.",
         kOperationLabels)},
    {&NfsOperationStats::request_ms, true,
     Nfs("operations_request_time_seconds_total",
         "Duration all requests took from when a request was enqueued to when it was completely handled for a "
         "given operation, in seconds.",
         kOperationLabels)},
};

// The series of one NFS mount, every label set starting with {export, protocol, mountaddr}.
void AddNfsStats(const NfsMountStats& s, const std::vector<std::string>& labels, MetricSink& sink) {
  sink.Add(kAge, static_cast<double>(s.age_seconds), labels);
  for (std::size_t i = 0; i < kBytes.size(); ++i) {
    sink.Add(kBytes[i], static_cast<double>(s.bytes[i]), labels);
  }
  for (std::size_t i = 0; i < s.transports.size(); ++i) {
    std::vector<std::string> values = labels;
    values.push_back(std::to_string(i));
    for (const TransportColumn& c : kTransport) {
      std::uint64_t v = s.transports[i].*c.field;
      v = c.field == &NfsTransportStats::idle_time_seconds ? v % kFloat64Mantissa : v;
      sink.Add(c.desc, static_cast<double>(v), values);
    }
  }
  for (const NfsOperationStats& op : s.operations) {
    std::vector<std::string> values = labels;
    values.push_back(ToValidUtf8(op.operation));
    for (const OperationColumn& c : kOperations) {
      const std::uint64_t v = op.*c.field;
      sink.Add(c.desc, c.milliseconds ? static_cast<double>(v % kFloat64Mantissa) / 1000.0 : static_cast<double>(v),
               values);
    }
  }
  for (const EventColumn& e : kEvents) {
    sink.Add(e.desc, static_cast<double>(s.events[e.column]), labels);
  }
}

// The "addr" superblock option of entry `index`'s mount in mountinfo. node_exporter takes
// mountinfo's line at the same index (both files list the namespace's mounts in one order); a
// mount or unmount between the two reads, or a malformed line skipped, would shift that, so that
// line is taken only when it is the same mount (source and mount point), else the first line
// that is, else (paths seen from another root) the line at the index as upstream does.
std::string MountAddress(const std::vector<MountInfo>& infos, std::size_t index, const MountStatsEntry& e) {
  const std::string mount_point = UnescapeMountPath(e.mount_point);
  auto same = [&](const MountInfo& m) { return m.device == e.device && m.mount_point == mount_point; };
  const MountInfo* match = index < infos.size() && same(infos[index]) ? &infos[index] : nullptr;
  for (std::size_t i = 0; match == nullptr && i < infos.size(); ++i) {
    match = same(infos[i]) ? &infos[i] : nullptr;
  }
  if (match == nullptr && index < infos.size()) {
    match = &infos[index];
  }
  return match == nullptr ? "" : MountOptionValue(match->super_options, "addr");
}

// Adds every NFS mount once per (export, protocol, mountaddr), and an info series per mount
// point, as upstream: a second mount of one export shares its counters, so repeating them
// would double them in sums.
void AddMounts(const std::vector<MountStatsEntry>& entries, const std::vector<MountInfo>& infos, MetricSink& sink) {
  std::set<std::tuple<std::string, std::string, std::string>> devices;
  std::set<std::tuple<std::string, std::string, std::string, std::string>> mount_points;
  for (std::size_t idx = 0; idx < entries.size(); ++idx) {
    const MountStatsEntry& e = entries[idx];
    if (!e.nfs) {
      continue;
    }
    const std::string address = ToValidUtf8(MountAddress(infos, idx, e));
    const std::string device = ToValidUtf8(e.device);
    for (const NfsTransportStats& t : e.nfs->transports) {
      const std::string mount_point = ToValidUtf8(e.mount_point);
      if (mount_points.emplace(device, t.protocol, address, mount_point).second) {
        sink.Add(kMountpointInfo, 1, {device, t.protocol, address, mount_point});
      }
      if (!devices.emplace(device, t.protocol, address).second) {
        break;  // upstream stops at the first transport whose device was seen
      }
      AddNfsStats(*e.nfs, {device, t.protocol, address}, sink);
    }
  }
}

class MountstatsCollector : public Collector {
 public:
  explicit MountstatsCollector(const ProcFs& fs) : files_(fs) {}

  Status Collect(MetricSink& sink) override {
    // This process's own view (upstream reads /proc/<its pid>/...): the mounts of its namespace.
    Result<std::string> stats = files_.ReadProc("self/mountstats");
    if (!stats.ok()) {
      return stats.status();
    }
    Result<std::string> info = files_.ReadProc("self/mountinfo");
    if (!info.ok()) {
      return info.status();
    }
    std::uint64_t errors = 0;
    const std::vector<MountStatsEntry> entries = ParseMountStats(stats.value(), &errors);
    const std::vector<MountInfo> infos = ParseMountInfo(info.value(), &errors);
    sink.CountParseError(errors);
    AddMounts(entries, infos, sink);
    return Status::OK();
  }

 private:
  CachedFiles files_;
};

}  // namespace

CollectorSpec MountstatsCollectorSpec() {
  return {"mountstats",
          false,
          "Exposes per-mount NFS client statistics from /proc/self/mountstats (server address from "
          "/proc/self/mountinfo): node_mountstats_nfs_{age_seconds,*_bytes,*_pages,event_*,operations_*,"
          "transport_*}_total, node_mountstats_nfs_transport_{idle_time_seconds,maximum_rpc_slots}, "
          "node_mountstats_nfs_mountpoint_info.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<MountstatsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
