#include "collectors/host/nfsd.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/core/cached_file.h"

namespace hostwatch {
namespace {

const MetricDesc kReplyCacheHits{"node_nfsd_reply_cache_hits_total",
                                 "Total number of NFSd Reply Cache hits (client lost server response).",
                                 MetricType::Counter, {}};
const MetricDesc kReplyCacheMisses{"node_nfsd_reply_cache_misses_total",
                                   "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
                                   MetricType::Counter, {}};
const MetricDesc kReplyCacheNocache{
    "node_nfsd_reply_cache_nocache_total",
    "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\u2026).", MetricType::Counter, {}};
const MetricDesc kFileHandlesStale{"node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles",
                                   MetricType::Counter, {}};
const MetricDesc kDiskBytesRead{"node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", MetricType::Counter, {}};
const MetricDesc kDiskBytesWritten{"node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.",
                                   MetricType::Counter, {}};
const MetricDesc kServerThreads{"node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.",
                                MetricType::Gauge, {}};
const MetricDesc kReadAheadCacheSize{"node_nfsd_read_ahead_cache_size_blocks",
                                     "How large the read ahead cache is in blocks.", MetricType::Gauge, {}};
const MetricDesc kReadAheadCacheNotFound{"node_nfsd_read_ahead_cache_not_found_total",
                                         "Total number of NFSd read ahead cache not found.", MetricType::Counter, {}};
const MetricDesc kPackets{"node_nfsd_packets_total", "Total NFSd network packets (sent+received) by protocol type.",
                          MetricType::Counter, {"proto"}};
const MetricDesc kConnections{"node_nfsd_connections_total", "Total number of NFSd TCP connections.",
                              MetricType::Counter, {}};
const MetricDesc kRpcErrors{"node_nfsd_rpc_errors_total", "Total number of NFSd RPC errors by error type.",
                            MetricType::Counter, {"error"}};
const MetricDesc kServerRpcs{"node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", MetricType::Counter, {}};
const MetricDesc kRequests{"node_nfsd_requests_total", "Total number NFSd Requests by method and protocol.",
                           MetricType::Counter, {"proto", "method"}};

// The labels of /proc/net/rpc/nfsd this parser reads.
bool IsKnownLabel(std::string_view label) {
  static constexpr std::array<std::string_view, 12> kKnown = {
      "rc", "fh", "io", "th", "ra", "net", "rpc", "proc2", "proc3", "proc4", "proc4ops", "wdeleg_getattr"};
  return std::find(kKnown.begin(), kKnown.end(), label) != kKnown.end();
}

// Applies one of the fixed-length lines to *s; false when its length is wrong.
bool ApplyFixedLine(std::string_view label, const std::vector<std::uint64_t>& v, NfsdStats* s) {
  if (label == "rc" && v.size() == 3) {
    s->reply_cache_hits = v[0];
    s->reply_cache_misses = v[1];
    s->reply_cache_nocache = v[2];
    return true;
  }
  if (label == "fh" && v.size() == 5) {  // the other four are always 0 in the kernel
    s->file_handles_stale = v[0];
    return true;
  }
  if (label == "io" && v.size() == 2) {
    s->bytes_read = v[0];
    s->bytes_written = v[1];
    return true;
  }
  if (label == "th" && v.size() == 2) {
    s->threads = v[0];
    return true;
  }
  if (label == "ra" && v.size() == 12) {  // size, a 10-bucket histogram, not found
    s->read_ahead_cache_size = v[0];
    s->read_ahead_cache_not_found = v[11];
    return true;
  }
  if (label == "rpc" && v.size() == 5) {  // count, bad total, bad format, bad auth, bad client
    s->rpcs = v[0];
    s->bad_format = v[2];
    s->bad_auth = v[3];
    s->bad_client = v[4];
    return true;
  }
  if (label == "wdeleg_getattr" && !v.empty()) {
    s->wdeleg_getattr = v[0];
    return true;
  }
  return false;
}

// Applies one line with a known label to *s; false when its values do not fit the label.
bool ApplyServerLine(std::string_view label, const std::vector<std::uint64_t>& v, NfsdStats* s) {
  if (label == "net") {
    std::optional<RpcNetwork> net = ParseRpcNetwork(v);
    s->network = net.value_or(s->network);
    return net.has_value();
  }
  if (label == "proc2") {
    return CopyProcedureCounts(v, s->v2.size(), &s->v2);
  }
  if (label == "proc3") {
    return CopyProcedureCounts(v, s->v3.size(), &s->v3);
  }
  if (label == "proc4ops") {  // 39 columns before RELEASE_LOCKOWNER was counted
    return CopyProcedureCounts(v, s->v4_operations.size() - 1, &s->v4_operations);
  }
  if (label == "proc4") {  // NULL and COMPOUND: checked as procfs does, not exported
    std::optional<std::vector<std::uint64_t>> counts = ProcedureCounts(v, 2);
    return counts && counts->size() == 2;
  }
  return ApplyFixedLine(label, v, s);
}

// Counts of procedures (skipping NULL, which node_exporter does not export for the server).
template <std::size_t N>
void AddRequests(MetricSink& sink, std::string_view proto, const std::array<std::string_view, N>& names,
                 const std::array<std::uint64_t, N>& counts) {
  for (std::size_t i = 0; i < N; ++i) {
    if (!names[i].empty() && names[i] != "Null") {
      sink.Add(kRequests, static_cast<double>(counts[i]), {proto, names[i]});
    }
  }
}

void AddStats(const NfsdStats& s, MetricSink& sink) {
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  sink.Add(kReplyCacheHits, d(s.reply_cache_hits));
  sink.Add(kReplyCacheMisses, d(s.reply_cache_misses));
  sink.Add(kReplyCacheNocache, d(s.reply_cache_nocache));
  sink.Add(kFileHandlesStale, d(s.file_handles_stale));
  sink.Add(kDiskBytesRead, d(s.bytes_read));
  sink.Add(kDiskBytesWritten, d(s.bytes_written));
  sink.Add(kServerThreads, d(s.threads));
  sink.Add(kReadAheadCacheSize, d(s.read_ahead_cache_size));
  sink.Add(kReadAheadCacheNotFound, d(s.read_ahead_cache_not_found));
  sink.Add(kPackets, d(s.network.udp), {"udp"});
  sink.Add(kPackets, d(s.network.tcp), {"tcp"});
  sink.Add(kConnections, d(s.network.tcp_connections));
  sink.Add(kRpcErrors, d(s.bad_format), {"fmt"});
  sink.Add(kRpcErrors, d(s.bad_auth), {"auth"});
  sink.Add(kRpcErrors, d(s.bad_client), {"cInt"});
  sink.Add(kServerRpcs, d(s.rpcs));
  AddRequests(sink, "2", kNfsV2Procedures, s.v2);
  AddRequests(sink, "3", kNfsV3Procedures, s.v3);
  AddRequests(sink, "4", kNfsdV4Operations, s.v4_operations);
  sink.Add(kRequests, d(s.wdeleg_getattr), {"4", "WdelegGetattr"});
}

class NfsdCollector : public Collector {
 public:
  explicit NfsdCollector(const ProcFs& fs) : files_(fs) {}

  Status Collect(MetricSink& sink) override {
    // Missing without an NFS server (nfsd not loaded): NoData, as upstream's ErrNoData.
    Result<std::string> text = files_.ReadProc("net/rpc/nfsd");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    const NfsdStats s = ParseNfsdStats(text.value(), &errors);
    sink.CountParseError(errors);
    AddStats(s, sink);
    return Status::OK();
  }

 private:
  CachedFiles files_;
};

}  // namespace

NfsdStats ParseNfsdStats(std::string_view text, std::uint64_t* parse_errors) {
  NfsdStats s;
  for (RpcStatLine& line : SplitRpcStatLines(text, parse_errors)) {
    if (!IsKnownLabel(line.label)) {
      continue;
    }
    // "th <threads> <times all were busy> <10 decimal histogram columns, 0.000 on new kernels>"
    if (line.label == "th") {
      line.fields.resize(std::min<std::size_t>(line.fields.size(), 2));
    }
    std::optional<std::vector<std::uint64_t>> values = ParseRpcStatValues(line.fields);
    if (!values) {
      ++*parse_errors;
      continue;
    }
    if (!ApplyServerLine(line.label, *values, &s)) {
      ++*parse_errors;
    }
  }
  return s;
}

CollectorSpec NfsdCollectorSpec() {
  return {"nfsd",
          true,
          "Exposes NFS server statistics from /proc/net/rpc/nfsd: node_nfsd_{reply_cache_*,file_handles_stale,"
          "disk_bytes_*,read_ahead_cache_not_found,packets,connections,rpc_errors,server_rpcs,requests}_total, "
          "node_nfsd_server_threads, node_nfsd_read_ahead_cache_size_blocks.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<NfsdCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
