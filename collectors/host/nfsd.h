// nfsd collector: NFS server statistics from /proc/net/rpc/nfsd as node_nfsd_*, the way
// node_exporter 1.12.1 exports them (procfs' nfs.ParseServerRPCStats). The file shares its
// line format with /proc/net/rpc/nfs (nfs.h).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "collectors/core/collector.h"
#include "collectors/host/nfs.h"

namespace hostwatch {

// NFSv4 operations in the kernel's column order of the "proc4ops" line (op numbers 0..39);
// "" for the columns node_exporter does not export (0-2 unused, PUTPUBFH, PUTROOTFH).
inline constexpr std::array<std::string_view, 40> kNfsdV4Operations = {
    "",          "",           "",         "Access",  "Close",    "Commit",     "Create",
    "DelegPurge", "DelegReturn", "GetAttr", "GetFH",   "Link",     "Lock",       "Lockt",
    "Locku",     "Lookup",     "LookupRoot", "Nverify", "Open",    "OpenAttr",   "OpenConfirm",
    "OpenDgrd",  "PutFH",      "",         "",        "Read",     "ReadDir",    "ReadLink",
    "Remove",    "Rename",     "Renew",    "RestoreFH", "SaveFH", "SecInfo",    "SetAttr",
    "SetClientID", "SetClientIDConfirm", "Verify", "Write", "RelLockOwner"};

// /proc/net/rpc/nfsd. Counters of lines the file lacks stay 0, as upstream reports them.
struct NfsdStats {
  std::uint64_t reply_cache_hits = 0, reply_cache_misses = 0, reply_cache_nocache = 0;  // rc
  std::uint64_t file_handles_stale = 0;                                                  // fh
  std::uint64_t bytes_read = 0, bytes_written = 0;                                       // io
  std::uint64_t threads = 0;                                                             // th
  std::uint64_t read_ahead_cache_size = 0, read_ahead_cache_not_found = 0;               // ra
  RpcNetwork network;                                                                    // net
  std::uint64_t rpcs = 0, bad_format = 0, bad_auth = 0, bad_client = 0;                  // rpc
  std::array<std::uint64_t, kNfsV2Procedures.size()> v2{};
  std::array<std::uint64_t, kNfsV3Procedures.size()> v3{};
  // 39 columns on kernels before RELEASE_LOCKOWNER was counted: that one stays 0.
  std::array<std::uint64_t, kNfsdV4Operations.size()> v4_operations{};
  std::uint64_t wdeleg_getattr = 0;
};

// Parses /proc/net/rpc/nfsd. A line with a field that is not an unsigned number (for "th",
// only its first two fields are read), or with the wrong number of values for its label
// (procfs' lengths: rc 3, fh 5, io 2, th 2, ra 12, net 4, rpc 5, proc4 2 procedures, proc2 >= 18,
// proc3 >= 22 and proc4ops >= 39 columns, each procN with as many as its first number says,
// wdeleg_getattr >= 1), is skipped and counted in *parse_errors; node_exporter fails the whole
// scrape instead. Lines with labels this parser does not know (a newer kernel's) are ignored.
NfsdStats ParseNfsdStats(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec NfsdCollectorSpec();

}  // namespace hostwatch
