#include "collectors/host/tcpstat.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/netlink_dump.h"
#include "collectors/core/proc_net_socket.h"

namespace hostwatch {
namespace {

const MetricDesc kStates{"node_tcp_connection_states", "Number of connection states.", MetricType::Gauge, {"state"}};

// node_exporter's names for the kernel's TCP_* states (index = state number).
constexpr const char* kStateNames[] = {"unknown",   "established", "syn_sent",   "syn_recv", "fin_wait1", "fin_wait2",
                                       "time_wait", "close",       "close_wait", "last_ack", "listen",    "closing"};

// Every state from TCP_ESTABLISHED (1) to TCP_CLOSING (11), as node_exporter asks.
constexpr std::uint32_t kAllStates = 0xFFF;

Result<std::string> DumpTcpSockets(std::uint8_t family) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 body;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = 1;
  request.body.sdiag_family = family;
  request.body.sdiag_protocol = IPPROTO_TCP;
  request.body.idiag_states = kAllStates;
  return NetlinkDump(NETLINK_SOCK_DIAG, std::string_view(reinterpret_cast<const char*>(&request), sizeof(request)));
}

void AddSocket(std::uint32_t state, std::uint64_t tx, std::uint64_t rx, TcpStats* stats) {
  stats->by_state[state < stats->by_state.size() ? state : 0] += 1;
  stats->tx_queued_bytes += static_cast<double>(tx);
  stats->rx_queued_bytes += static_cast<double>(rx);
  stats->any = true;
}

class TcpstatCollector : public Collector {
 public:
  explicit TcpstatCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    std::uint64_t errors = 0;
    TcpStats stats;
    Status s = FromNetlink(&stats, &errors);
    if (!s.ok()) {
      stats = TcpStats{};  // start over from the tables, which hold the same sockets
      s = FromProc(&stats, &errors);
    }
    sink.CountParseError(errors);
    if (!s.ok()) {
      return s;
    }
    if (!stats.any) {
      return Status::OK();
    }
    for (std::size_t st = 0; st < stats.by_state.size(); ++st) {
      if (stats.by_state[st] > 0) {
        sink.Add(kStates, stats.by_state[st], {kStateNames[st]});
      }
    }
    sink.Add(kStates, stats.rx_queued_bytes, {"rx_queued_bytes"});
    sink.Add(kStates, stats.tx_queued_bytes, {"tx_queued_bytes"});
    return Status::OK();
  }

 private:
  bool HasIpv6() const {
    Result<DirHandle> net = fs_.OpenDir(fs_.ProcPath("net"));
    return net.ok() && net.value().StatFile("tcp6").ok();
  }

  Status FromNetlink(TcpStats* stats, std::uint64_t* errors) const {
    for (std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
      if (family == AF_INET6 && !HasIpv6()) {
        continue;
      }
      Result<std::string> dump = DumpTcpSockets(family);
      Status s = dump.ok() ? AddInetDiagDump(dump.value(), stats, errors) : dump.status();
      if (!s.ok()) {
        return s;
      }
    }
    return Status::OK();
  }

  Status FromProc(TcpStats* stats, std::uint64_t* errors) {
    for (const char* file : {"net/tcp", "net/tcp6"}) {
      Result<std::string> text = files_.ReadProc(file);
      if (!text.ok()) {
        if (text.status().no_data() && std::string_view(file) == "net/tcp6") {
          continue;  // no IPv6
        }
        return text.status();
      }
      AddProcNetTcp(text.value(), stats, errors);
    }
    return Status::OK();
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

Status AddInetDiagDump(std::string_view bytes, TcpStats* stats, std::uint64_t* parse_errors) {
  Result<std::vector<NetlinkMessage>> messages = SplitNetlinkDump(bytes);
  if (!messages.ok()) {
    return messages.status();
  }
  for (const NetlinkMessage& m : messages.value()) {
    if (m.type != SOCK_DIAG_BY_FAMILY) {
      continue;
    }
    if (m.payload.size() < sizeof(inet_diag_msg)) {
      ++*parse_errors;
      continue;
    }
    inet_diag_msg msg;
    std::memcpy(&msg, m.payload.data(), sizeof(msg));
    AddSocket(msg.idiag_state, msg.idiag_wqueue, msg.idiag_rqueue, stats);
  }
  return Status::OK();
}

void AddProcNetTcp(std::string_view text, TcpStats* stats, std::uint64_t* parse_errors) {
  ForEachProcNetSocket(
      text, [stats](const ProcNetSocket& s) { AddSocket(s.state, s.tx_queue, s.rx_queue, stats); }, parse_errors);
}

CollectorSpec TcpstatCollectorSpec() {
  return {"tcpstat",
          false,
          "Exposes TCP sockets per state and their queued bytes from netlink inet_diag (or /proc/net/tcp{,6} "
          "when netlink is not available): node_tcp_connection_states{state}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<TcpstatCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
