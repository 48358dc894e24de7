// bcachefs collector: every filesystem of /sys/fs/bcachefs/<uuid> (btree
// cache, compression, error and btree write statistics, the counters/ files)
// and its member devices (dev-N: state, buckets, io_done, io_errors), as
// node_bcachefs_*, with node_exporter's names, labels and value scaling.
// Without /sys/fs/bcachefs (no bcachefs mounted) there is no data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "collectors/core/collector.h"

namespace hostwatch {

struct BcachefsCompression {
  std::uint64_t compressed = 0, uncompressed = 0;
};

struct BcachefsBtreeWrites {
  std::uint64_t count = 0, size = 0;  // size: average write, bytes
};

struct BcachefsDevice {
  std::string label, state;
  std::uint64_t bucket_size = 0, buckets = 0, durability = 0;
  std::map<std::string, std::map<std::string, std::uint64_t>> io_done;  // operation -> data type -> bytes
  std::map<std::string, std::uint64_t> io_errors;                      // since filesystem creation
};

struct BcachefsFilesystem {
  std::uint64_t btree_cache_size = 0;
  std::map<std::string, BcachefsCompression> compression;  // by algorithm
  std::map<std::string, std::uint64_t> errors;             // by error type
  std::map<std::string, std::uint64_t> counters;           // since filesystem creation
  std::map<std::string, BcachefsBtreeWrites> btree_writes;
  std::map<std::string, BcachefsDevice> devices;  // "6" for dev-6
};

// The parsers below take one file's content each and return nullopt for
// content node_exporter's procfs library rejects (the caller counts it).

// bcachefs' human-readable sizes: "2.05G", "720", "62.5k" (binary units, truncated to bytes).
std::optional<std::uint64_t> ParseBcachefsBytes(std::string_view s);
// compression_stats: a header line, then "<algorithm> <compressed> <uncompressed> [<avg extent>]".
std::optional<std::map<std::string, BcachefsCompression>> ParseBcachefsCompression(std::string_view text);
// errors: "<type> <count> [<timestamp>]" lines.
std::optional<std::map<std::string, std::uint64_t>> ParseBcachefsErrors(std::string_view text);
// One counters/<name> file: the "since filesystem creation:" value (0 when
// only "since mount:" is there; nullopt when neither is).
std::optional<std::uint64_t> ParseBcachefsCounter(std::string_view text);
// btree_write_stats: a header line, then "<type>: <count> <size>".
std::optional<std::map<std::string, BcachefsBtreeWrites>> ParseBcachefsBtreeWrites(std::string_view text);
// dev-N/io_done: "read:" / "write:" sections of "<data type> : <bytes>".
std::optional<std::map<std::string, std::map<std::string, std::uint64_t>>> ParseBcachefsIoDone(
    std::string_view text);
// dev-N/io_errors: the "IO errors since filesystem creation" section's "<type>: <count>".
std::optional<std::map<std::string, std::uint64_t>> ParseBcachefsIoErrors(std::string_view text);

CollectorSpec BcachefsCollectorSpec();

}  // namespace hostwatch
