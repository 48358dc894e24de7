#include "collectors/host/nfs.h"

#include <algorithm>
#include <memory>
#include <string>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// node_exporter's HELP texts, "NFSd" in the client's packet help included.
const MetricDesc kPackets{"node_nfs_packets_total", "Total NFSd network packets (sent+received) by protocol type.",
                          MetricType::Counter, {"protocol"}};
const MetricDesc kConnections{"node_nfs_connections_total", "Total number of NFSd TCP connections.",
                              MetricType::Counter, {}};
const MetricDesc kRpcs{"node_nfs_rpcs_total", "Total number of RPCs performed.", MetricType::Counter, {}};
const MetricDesc kRetransmissions{"node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.",
                                  MetricType::Counter, {}};
const MetricDesc kAuthRefreshes{"node_nfs_rpc_authentication_refreshes_total",
                                "Number of RPC authentication refreshes performed.", MetricType::Counter, {}};
const MetricDesc kRequests{"node_nfs_requests_total", "Number of NFS procedures invoked.", MetricType::Counter,
                           {"proto", "method"}};

// Applies one parsed line to *s; false when its values do not fit its label.
bool ApplyClientLine(std::string_view label, const std::vector<std::uint64_t>& v, NfsClientStats* s) {
  if (label == "net") {
    std::optional<RpcNetwork> net = ParseRpcNetwork(v);
    s->network = net.value_or(s->network);
    return net.has_value();
  }
  if (label == "rpc") {
    if (v.size() != 3) {
      return false;
    }
    s->rpcs = v[0];
    s->retransmissions = v[1];
    s->auth_refreshes = v[2];
    return true;
  }
  // procfs requires all 18 NFSv2 and 22 NFSv3 procedures; NFSv4 clients count fewer on older
  // kernels, and the missing ones are reported as 0.
  if (label == "proc2") {
    return CopyProcedureCounts(v, s->v2.size(), &s->v2);
  }
  if (label == "proc3") {
    return CopyProcedureCounts(v, s->v3.size(), &s->v3);
  }
  return CopyProcedureCounts(v, 0, &s->v4);
}

template <std::size_t N>
void AddRequests(MetricSink& sink, std::string_view proto, const std::array<std::string_view, N>& names,
                 const std::array<std::uint64_t, N>& counts) {
  for (std::size_t i = 0; i < N; ++i) {
    sink.Add(kRequests, static_cast<double>(counts[i]), {proto, names[i]});
  }
}

class NfsCollector : public Collector {
 public:
  explicit NfsCollector(const ProcFs& fs) : files_(fs) {}

  Status Collect(MetricSink& sink) override {
    // Missing without an NFS client (module not loaded): NoData, as upstream's ErrNoData.
    Result<std::string> text = files_.ReadProc("net/rpc/nfs");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    const NfsClientStats s = ParseNfsClientStats(text.value(), &errors);
    sink.CountParseError(errors);
    sink.Add(kPackets, static_cast<double>(s.network.udp), {"udp"});
    sink.Add(kPackets, static_cast<double>(s.network.tcp), {"tcp"});
    sink.Add(kConnections, static_cast<double>(s.network.tcp_connections));
    sink.Add(kRpcs, static_cast<double>(s.rpcs));
    sink.Add(kRetransmissions, static_cast<double>(s.retransmissions));
    sink.Add(kAuthRefreshes, static_cast<double>(s.auth_refreshes));
    AddRequests(sink, "2", kNfsV2Procedures, s.v2);
    AddRequests(sink, "3", kNfsV3Procedures, s.v3);
    AddRequests(sink, "4", kNfsV4ClientProcedures, s.v4);
    return Status::OK();
  }

 private:
  CachedFiles files_;
};

}  // namespace

std::vector<RpcStatLine> SplitRpcStatLines(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<RpcStatLine> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty()) {
      continue;
    }
    if (f.size() < 2) {
      ++*parse_errors;
      continue;
    }
    out.push_back({f[0], std::vector<std::string_view>(f.begin() + 1, f.end())});
  }
  return out;
}

std::optional<std::vector<std::uint64_t>> ParseRpcStatValues(const std::vector<std::string_view>& fields) {
  std::vector<std::uint64_t> values;
  values.reserve(fields.size());
  for (std::string_view field : fields) {
    std::optional<std::uint64_t> v = ParseUint(field);
    if (!v) {
      return std::nullopt;
    }
    values.push_back(*v);
  }
  return values;
}

std::optional<std::vector<std::uint64_t>> ProcedureCounts(const std::vector<std::uint64_t>& values,
                                                          std::size_t min_count) {
  if (values.empty() || values[0] != values.size() - 1 || values[0] < min_count) {
    return std::nullopt;
  }
  return std::vector<std::uint64_t>(values.begin() + 1, values.end());
}

std::optional<RpcNetwork> ParseRpcNetwork(const std::vector<std::uint64_t>& values) {
  if (values.size() != 4) {
    return std::nullopt;
  }
  return RpcNetwork{values[0], values[1], values[2], values[3]};
}

NfsClientStats ParseNfsClientStats(std::string_view text, std::uint64_t* parse_errors) {
  NfsClientStats s;
  for (const RpcStatLine& line : SplitRpcStatLines(text, parse_errors)) {
    const bool known = line.label == "net" || line.label == "rpc" || line.label == "proc2" ||
                       line.label == "proc3" || line.label == "proc4";
    if (!known) {
      continue;
    }
    std::optional<std::vector<std::uint64_t>> values = ParseRpcStatValues(line.fields);
    if (!values || !ApplyClientLine(line.label, *values, &s)) {
      ++*parse_errors;
    }
  }
  return s;
}

CollectorSpec NfsCollectorSpec() {
  return {"nfs",
          true,
          "Exposes NFS client statistics from /proc/net/rpc/nfs: node_nfs_{packets,connections,rpcs,"
          "rpc_retransmissions,rpc_authentication_refreshes,requests}_total.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<NfsCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
