#include "collectors/host/udp_queues.h"

#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/proc_net_socket.h"

namespace hostwatch {
namespace {

const MetricDesc kQueues{"node_udp_queues",
                         "Number of allocated memory in the kernel for UDP datagrams in bytes.",
                         MetricType::Gauge,
                         {"queue", "ip"}};

class UdpQueuesCollector : public Collector {
 public:
  explicit UdpQueuesCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    bool found = false;
    for (const auto& [file, ip] : {std::pair{"net/udp", "v4"}, std::pair{"net/udp6", "v6"}}) {
      Result<std::string> text = files_.ReadProc(file);
      if (!text.ok()) {
        if (text.status().no_data()) {
          continue;  // that IP version is disabled: node_exporter leaves its series out
        }
        return text.status();
      }
      found = true;
      std::uint64_t errors = 0;
      UdpQueues q = ParseUdpQueues(text.value(), &errors);
      sink.CountParseError(errors);
      sink.Add(kQueues, q.tx, {"tx", ip});
      sink.Add(kQueues, q.rx, {"rx", ip});
    }
    if (!found) {
      return Status::NoData("neither " + fs_.ProcPath("net/udp") + " nor " + fs_.ProcPath("net/udp6") + " exists");
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

UdpQueues ParseUdpQueues(std::string_view text, std::uint64_t* parse_errors) {
  UdpQueues q;
  ForEachProcNetSocket(
      text,
      [&q](const ProcNetSocket& s) {
        q.tx += static_cast<double>(s.tx_queue);
        q.rx += static_cast<double>(s.rx_queue);
      },
      parse_errors);
  return q;
}

CollectorSpec UdpQueuesCollectorSpec() {
  return {"udp_queues",
          true,
          "Exposes the bytes queued for UDP sockets, summed from /proc/net/udp and /proc/net/udp6: "
          "node_udp_queues{ip,queue}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<UdpQueuesCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
