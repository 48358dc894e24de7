// mountstats collector: per-mount NFS client statistics from <procfs>/self/mountstats as
// node_mountstats_nfs_*{export,protocol,mountaddr[,operation|transport|mountpoint]}, the way
// node_exporter 1.12.1 exports them (procfs' parseMountStats, NFS statistics versions 1.0 and
// 1.1, transports tcp, udp and rdma). The server address (mountaddr) is the "addr" superblock
// option of the same mount in <procfs>/self/mountinfo.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One "per-op statistics" line: "READ: 1298 1298 0 207680 1210292152 6 79386 79407 [errors]".
struct NfsOperationStats {
  std::string operation;  // without the colon
  std::uint64_t requests = 0, transmissions = 0, major_timeouts = 0, bytes_sent = 0, bytes_received = 0;
  std::uint64_t queue_ms = 0, response_ms = 0, request_ms = 0;  // cumulative milliseconds
};

// One "xprt:" line, its columns mapped to the statistics-1.1 TCP layout (procfs' mapping): UDP
// has no connect, connect-idle and idle columns, statistics 1.0 lacks the last three, and RDMA's
// slot and queue columns are not printed; those read 0. RDMA's own counters are not exported.
struct NfsTransportStats {
  std::string protocol;  // tcp, udp or rdma
  std::uint64_t port = 0, bind = 0, connect = 0, connect_idle_time = 0, idle_time_seconds = 0;
  std::uint64_t sends = 0, receives = 0, bad_transaction_ids = 0, cumulative_active_requests = 0;
  std::uint64_t cumulative_backlog = 0, maximum_rpc_slots = 0, cumulative_sending_queue = 0;
  std::uint64_t cumulative_pending_queue = 0;
};

// The statistics block of one NFS mount.
struct NfsMountStats {
  std::string stat_version;  // "1.1" from "statvers=1.1"
  std::uint64_t age_seconds = 0;
  // read, write, direct read, direct write, read total, write total, read pages, write pages
  std::array<std::uint64_t, 8> bytes{};
  // The 27 counters of the "events:" line in the kernel's order (nfs_iostat.h).
  std::array<std::uint64_t, 27> events{};
  std::vector<NfsOperationStats> operations;
  std::vector<NfsTransportStats> transports;
};

// One "device ... mounted on ... with fstype ..." entry. Paths are as the kernel escapes them.
struct MountStatsEntry {
  std::string device;
  std::string mount_point;
  std::string fs_type;
  std::optional<NfsMountStats> nfs;  // for an nfs or nfs4 mount with a statistics block
};

// Parses mountstats. A "device" line starts an entry wherever it appears. Robust where procfs
// fails the whole file: a device line without its fixed words, a statistics block on a mount that
// is not nfs/nfs4, and any statistics line with missing, surplus or non-numeric fields (or an
// unknown statistics version or transport) are skipped and each counted once in *parse_errors; the
// rest of the entry and the other entries are kept. "bytes:" and "events:" lines longer than the
// kernel's 8 and 27 columns are read up to those (newer kernels append). Lines this parser does
// not read ("caps:", "sec:", ...) are ignored.
std::vector<MountStatsEntry> ParseMountStats(std::string_view text, std::uint64_t* parse_errors);

// Parses the columns of one "xprt:" line after the label ("tcp 832 0 1 ..."), for statistics
// version stat_version; nullopt for an unknown version or protocol or a wrong column count.
std::optional<NfsTransportStats> ParseNfsTransport(const std::vector<std::string_view>& fields,
                                                   std::string_view stat_version);

// The value of the last "key=value" among comma-separated options (Go's map semantics, as
// procfs' mountOptionsParser: "a=b=c" gives key a the value b); "" when key is absent.
std::string MountOptionValue(std::string_view options, std::string_view key);

CollectorSpec MountstatsCollectorSpec();

}  // namespace hostwatch
