// nfs collector: NFS client RPC statistics from /proc/net/rpc/nfs as node_nfs_*, the way
// node_exporter 1.12.1 exports them (procfs' nfs.ParseClientRPCStats). Also the pieces of
// that file format the nfsd collector shares (nfsd.h): the labelled lines of unsigned
// numbers, the "net" line and the NFSv2/v3 procedure names.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// Procedure names in the kernel's column order (the field names of procfs' V2Stats, V3Stats
// and ClientV4Stats, which node_exporter exports as the "method" label).
inline constexpr std::array<std::string_view, 18> kNfsV2Procedures = {
    "Null",   "GetAttr", "SetAttr", "Root", "Lookup",  "ReadLink", "Read",  "WrCache", "Write",
    "Create", "Remove",  "Rename",  "Link", "SymLink", "MkDir",    "RmDir", "ReadDir", "FsStat"};
inline constexpr std::array<std::string_view, 22> kNfsV3Procedures = {
    "Null",  "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read",    "Write",       "Create", "MkDir",  "SymLink",
    "MkNod", "Remove",  "RmDir",   "Rename", "Link",   "ReadDir",  "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit"};
inline constexpr std::array<std::string_view, 59> kNfsV4ClientProcedures = {
    "Null",          "Read",          "Write",         "Commit",        "Open",          "OpenConfirm",
    "OpenNoattr",    "OpenDowngrade", "Close",         "Setattr",       "FsInfo",        "Renew",
    "SetClientID",   "SetClientIDConfirm", "Lock",     "Lockt",         "Locku",         "Access",
    "Getattr",       "Lookup",        "LookupRoot",    "Remove",        "Rename",        "Link",
    "Symlink",       "Create",        "Pathconf",      "StatFs",        "ReadLink",      "ReadDir",
    "ServerCaps",    "DelegReturn",   "GetACL",        "SetACL",        "FsLocations",   "ReleaseLockowner",
    "Secinfo",       "FsidPresent",   "ExchangeID",    "CreateSession", "DestroySession", "Sequence",
    "GetLeaseTime",  "ReclaimComplete", "GetDeviceInfo", "LayoutGet",   "LayoutCommit",  "LayoutReturn",
    "SecinfoNoName", "TestStateID",   "FreeStateID",   "GetDeviceList", "BindConnToSession", "DestroyClientID",
    "Seek",          "Allocate",      "DeAllocate",    "LayoutStats",   "Clone"};

// One line of /proc/net/rpc/nfs or nfsd: "<label> <field> <field> ...".
struct RpcStatLine {
  std::string_view label;
  std::vector<std::string_view> fields;  // at least one
};

// The lines of an RPC statistics file; blank lines are dropped, and a line with a label but
// no field is skipped and counted in *parse_errors.
std::vector<RpcStatLine> SplitRpcStatLines(std::string_view text, std::uint64_t* parse_errors);

// The fields as unsigned decimal numbers, or nullopt when one is not.
std::optional<std::vector<std::uint64_t>> ParseRpcStatValues(const std::vector<std::string_view>& fields);

// A procedure-count line ("proc3 22 n0 ... n21"): the counts, when the first number equals how
// many follow and at least min_count do; nullopt otherwise.
std::optional<std::vector<std::uint64_t>> ProcedureCounts(const std::vector<std::uint64_t>& values,
                                                          std::size_t min_count);

// Copies a procedure-count line into *out (ProcedureCounts), zero-filling the columns it lacks
// and dropping extra ones; false, with *out unchanged, when the line is not valid.
template <std::size_t N>
bool CopyProcedureCounts(const std::vector<std::uint64_t>& values, std::size_t min_count,
                         std::array<std::uint64_t, N>* out) {
  std::optional<std::vector<std::uint64_t>> counts = ProcedureCounts(values, min_count);
  if (counts) {
    out->fill(0);
    std::copy_n(counts->begin(), std::min(N, counts->size()), out->begin());
  }
  return counts.has_value();
}

// The "net" line: packets, UDP packets, TCP packets, TCP connections.
struct RpcNetwork {
  std::uint64_t packets = 0, udp = 0, tcp = 0, tcp_connections = 0;
};
// From exactly four numbers; nullopt otherwise.
std::optional<RpcNetwork> ParseRpcNetwork(const std::vector<std::uint64_t>& values);

// /proc/net/rpc/nfs. Counters of lines the file lacks stay 0, as upstream reports them.
struct NfsClientStats {
  RpcNetwork network;
  std::uint64_t rpcs = 0, retransmissions = 0, auth_refreshes = 0;  // the "rpc" line
  std::array<std::uint64_t, kNfsV2Procedures.size()> v2{};
  std::array<std::uint64_t, kNfsV3Procedures.size()> v3{};
  // Kernels that count fewer NFSv4 procedures leave the rest 0; extra ones are ignored.
  std::array<std::uint64_t, kNfsV4ClientProcedures.size()> v4{};
};

// Parses /proc/net/rpc/nfs. A line with a field that is not an unsigned number, or with the
// wrong number of values for its label (procfs' lengths: net 4, rpc 3, proc2 >= 18 and proc3
// >= 22 procedures, every procN with as many values as its first number says), is skipped and
// counted in *parse_errors; node_exporter fails the whole scrape instead. Lines with labels
// this parser does not know (a newer kernel's) are ignored.
NfsClientStats ParseNfsClientStats(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec NfsCollectorSpec();

}  // namespace hostwatch
