#include "collectors/host/infiniband.h"

#include <cerrno>
#include <map>
#include <memory>
#include <set>

#include "collectors/core/device_filter.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

constexpr RegexOption kDeviceInclude{
    "infiniband", "device-include", "",
    "Regexp of infiniband devices to include (mutually exclusive to device-exclude)."};
constexpr RegexOption kDeviceExclude{
    "infiniband", "device-exclude", "",
    "Regexp of infiniband devices to exclude (mutually exclusive to device-include)."};

const std::vector<std::string> kPortLabels = {"device", "port"};

MetricDesc PortDesc(std::string_view name, std::string help, MetricType type = MetricType::Counter) {
  return {"node_infiniband_" + std::string(name), std::move(help), type, kPortLabels};
}

// A counter file of a port ("<dir>/<file>") and the metric node_exporter makes of it.
struct CounterFile {
  std::string dir, file;
  MetricDesc desc;
};
struct CounterRow {
  std::string_view path, metric, help;
};
// clang-format off
const CounterRow kCounterRows[] = {
    {"counters_ext/port_multicast_rcv_packets", "legacy_multicast_packets_received_total", "Number of multicast packets received"},
    {"counters_ext/port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total", "Number of multicast packets transmitted"},
    {"counters_ext/port_rcv_data_64", "legacy_data_received_bytes_total", "Number of data octets received on all links"},
    {"counters_ext/port_rcv_packets_64", "legacy_packets_received_total", "Number of data packets received on all links"},
    {"counters_ext/port_unicast_rcv_packets", "legacy_unicast_packets_received_total", "Number of unicast packets received"},
    {"counters_ext/port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total", "Number of unicast packets transmitted"},
    {"counters_ext/port_xmit_data_64", "legacy_data_transmitted_bytes_total", "Number of data octets transmitted on all links"},
    {"counters_ext/port_xmit_packets_64", "legacy_packets_transmitted_total", "Number of data packets received on all links"},
    {"counters/excessive_buffer_overrun_errors", "excessive_buffer_overrun_errors_total", "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error."},
    {"counters/link_downed", "link_downed_total", "Number of times the link failed to recover from an error state and went down"},
    {"counters/link_error_recovery", "link_error_recovery_total", "Number of times the link successfully recovered from an error state"},
    {"counters/local_link_integrity_errors", "local_link_integrity_errors_total", "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors."},
    {"counters/multicast_rcv_packets", "multicast_packets_received_total", "Number of multicast packets received (including errors)"},
    {"counters/multicast_xmit_packets", "multicast_packets_transmitted_total", "Number of multicast packets transmitted (including errors)"},
    {"counters/port_rcv_constraint_errors", "port_constraint_errors_received_total", "Number of packets received on the switch physical port that are discarded"},
    {"counters/port_xmit_constraint_errors", "port_constraint_errors_transmitted_total", "Number of packets not transmitted from the switch physical port"},
    {"counters/port_rcv_data", "port_data_received_bytes_total", "Number of data octets received on all links"},
    {"counters/port_xmit_data", "port_data_transmitted_bytes_total", "Number of data octets transmitted on all links"},
    {"counters/port_rcv_discards", "port_discards_received_total", "Number of inbound packets discarded by the port because the port is down or congested"},
    {"counters/port_xmit_discards", "port_discards_transmitted_total", "Number of outbound packets discarded by the port because the port is down or congested"},
    {"counters/port_rcv_errors", "port_errors_received_total", "Number of packets containing an error that were received on this port"},
    {"counters/port_rcv_packets", "port_packets_received_total", "Number of packets received on all VLs by this port (including errors)"},
    {"counters/port_xmit_packets", "port_packets_transmitted_total", "Number of packets transmitted on all VLs from this port (including errors)"},
    {"counters/port_xmit_wait", "port_transmit_wait_total", "Number of ticks during which the port had data to transmit but no data was sent during the entire tick"},
    {"counters/unicast_rcv_packets", "unicast_packets_received_total", "Number of unicast packets received (including errors)"},
    {"counters/unicast_xmit_packets", "unicast_packets_transmitted_total", "Number of unicast packets transmitted (including errors)"},
    {"counters/port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total", "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port."},
    {"counters/port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total", "Number of packets that could not be forwarded by the switch."},
    {"counters/symbol_error", "symbol_error_total", "Number of minor link errors detected on one or more physical lanes."},
    {"counters/VL15_dropped", "vl15_dropped_total", "Number of incoming VL15 packets dropped due to resource limitations."},
    {"hw_counters/duplicate_request", "duplicate_requests_packets_total", "The number of received packets. A duplicate request is a request that had been previously executed."},
    {"hw_counters/implied_nak_seq_err", "implied_nak_seq_errors_total", "The number of time the requested decided an ACK. with a PSN larger than the expected PSN for an RDMA read or response."},
    {"hw_counters/local_ack_timeout_err", "local_ack_timeout_errors_total", "The number of times QP's ack timer expired for RC, XRC, DCT QPs at the sender side. The QP retry limit was not exceed, therefore it is still recoverable error."},
    {"hw_counters/np_cnp_sent", "np_cnp_packets_sent_total", "The number of CNP packets sent by the Notification Point when it noticed congestion experienced in the RoCEv2 IP header (ECN bits). The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/np_ecn_marked_roce_packets", "np_ecn_marked_roce_packets_received_total", "The number of RoCEv2 packets received by the notification point which were marked for experiencing the congestion (ECN bits where '11' on the ingress RoCE traffic) . The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/out_of_buffer", "out_of_buffer_drops_total", "The number of drops occurred due to lack of WQE for the associated QPs."},
    {"hw_counters/out_of_sequence", "out_of_sequence_packets_received_total", "The number of out of sequence packets received."},
    {"hw_counters/packet_seq_err", "packet_sequence_errors_total", "The number of received NAK sequence error packets. The QP retry limit was not exceeded."},
    {"hw_counters/req_cqe_error", "req_cqes_errors_total", "The number of times requester detected CQEs completed with errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/req_cqe_flush_error", "req_cqes_flush_errors_total", "The number of times requester detected CQEs completed with flushed errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/req_remote_access_errors", "req_remote_access_errors_total", "The number of times requester detected remote access errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/req_remote_invalid_request", "req_remote_invalid_request_errors_total", "The number of times requester detected remote invalid request errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/resp_cqe_error", "resp_cqes_errors_total", "The number of times responder detected CQEs completed with errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/resp_cqe_flush_error", "resp_cqes_flush_errors_total", "The number of times responder detected CQEs completed with flushed errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/resp_local_length_error", "resp_local_length_errors_total", "The number of times responder detected local length errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/resp_remote_access_errors", "resp_remote_access_errors_total", "The number of times responder detected remote access errors. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/rnr_nak_retry_err", "rnr_nak_retry_packets_received_total", "The number of received RNR NAK packets. The QP retry limit was not exceeded."},
    {"hw_counters/roce_adp_retrans", "roce_adp_retransmits_total", "The number of adaptive retransmissions for RoCE traffic. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0"},
    {"hw_counters/roce_adp_retrans_to", "roce_adp_retransmits_timeout_total", "The number of times RoCE traffic reached timeout due to adaptive retransmission. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0"},
    {"hw_counters/roce_slow_restart", "roce_slow_restart_used_total", "The number of times RoCE slow restart was used. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0"},
    {"hw_counters/roce_slow_restart_cnps", "roce_slow_restart_cnps_total", "The number of times RoCE slow restart generated CNP packets. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0"},
    {"hw_counters/roce_slow_restart_trans", "roce_slow_restart_total", "The number of times RoCE slow restart changed state to slow restart. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0"},
    {"hw_counters/rp_cnp_handled", "rp_cnp_packets_handled_total", "The number of CNP packets handled by the Reaction Point HCA to throttle the transmission rate. The counters was added in MLNX_OFED 4.1"},
    {"hw_counters/rp_cnp_ignored", "rp_cnp_ignored_packets_received_total", "The number of CNP packets received and ignored by the Reaction Point HCA. This counter should not raise if RoCE Congestion Control was enabled in the network. If this counter raise, verify that ECN was enabled on the adapter."},
    {"hw_counters/rx_atomic_requests", "rx_atomic_requests_total", "The number of received ATOMIC request for the associated QPs."},
    {"hw_counters/rx_dct_connect", "rx_dct_connect_requests_total", "The number of received connection requests for the associated DCTs."},
    {"hw_counters/rx_read_requests", "rx_read_requests_total", "The number of received READ requests for the associated QPs."},
    {"hw_counters/rx_write_requests", "rx_write_requests_total", "The number of received WRITE requests for the associated QPs."},
    {"hw_counters/rx_icrc_encapsulated", "rx_icrc_encapsulated_errors_total", "The number of RoCE packets with ICRC errors. This counter was added in MLNX_OFED 4.4 and kernel 4.19"},
};
// clang-format on

const std::vector<CounterFile> kCounters = [] {
  std::vector<CounterFile> out;
  for (const CounterRow& r : kCounterRows) {
    const std::size_t slash = r.path.find('/');
    out.push_back({std::string(r.path.substr(0, slash)), std::string(r.path.substr(slash + 1)),
                   PortDesc(r.metric, std::string(r.help))});
  }
  return out;
}();

const MetricDesc kInfo{"node_infiniband_info", "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                       MetricType::Gauge, {"device", "board_id", "firmware_version", "hca_type"}};
const MetricDesc kStateId = PortDesc(
    "state_id", "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
    MetricType::Gauge);
const MetricDesc kPhysStateId =
    PortDesc("physical_state_id",
             "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: "
             "link up, 6: link error recover, 7: phytest)",
             MetricType::Gauge);
const MetricDesc kRate = PortDesc("rate_bytes_per_second", "Maximum signal transfer rate", MetricType::Gauge);
// hw_counters/lifespan is in milliseconds; node_exporter divides it (as an integer) by 1000.
const MetricDesc kLifespan =
    PortDesc("lifespan_seconds",
             "The maximum period in ms which defines the aging of the counter reads. Two consecutive reads within "
             "this period might return the same values.",
             MetricType::Gauge);

struct Port {
  std::uint32_t number = 0;
  std::uint32_t state = 0, phys_state = 0;
  std::uint64_t rate = 0;
  std::optional<std::uint64_t> lifespan_ms;
  std::vector<std::pair<const CounterFile*, std::uint64_t>> counters;
};

struct Device {
  std::string name;
  std::map<std::string, std::string> attributes;  // fw_ver, board_id, hca_type ("" when missing)
  std::map<std::uint32_t, Port> ports;
};

// Errors a counter file may give that node_exporter's procfs skips the file for.
bool SkippableCounterError(const Status& s) {
  const int e = s.sys_errno();
  return s.no_data() || e == EACCES || e == EPERM || e == EOPNOTSUPP || e == EINVAL || e == EISDIR;
}

// Reads the counter files of one port (dirs that do not exist are skipped).
// Missing, unreadable (EACCES) or unsupported counters are skipped, as node_exporter's procfs does.
Status ReadCounters(const DirHandle& port_dir, Port& port, MetricSink& sink) {
  // Each directory is listed once and only the files it has are read: a
  // port has a few of the 59 known counters, and a failed open costs as much as a read.
  std::map<std::string, std::pair<DirHandle, std::set<std::string>>> dirs;
  for (const char* name : {"counters", "counters_ext", "hw_counters"}) {
    Result<DirHandle> d = port_dir.OpenDir(name);
    Result<std::vector<std::string>> files =
        d.ok() ? d.value().List() : Result<std::vector<std::string>>(d.status());
    if (files.ok()) {
      dirs.emplace(name, std::make_pair(std::move(d).value(),
                                        std::set<std::string>(files.value().begin(), files.value().end())));
    } else if (!files.status().no_data()) {
      return files.status();
    }
  }
  std::uint64_t errors = 0;
  Status failure = Status::OK();  // the first read error that node_exporter would not skip either
  auto read = [&](const std::string& dir, const std::string& file) -> std::optional<std::uint64_t> {
    auto it = dirs.find(dir);
    if (it == dirs.end() || it->second.second.count(file) == 0) {
      return std::nullopt;
    }
    Result<std::string> text = it->second.first.ReadAttribute(file);
    if (!text.ok()) {
      if (!SkippableCounterError(text.status()) && failure.ok()) {
        failure = text.status();
      }
      return std::nullopt;
    }
    return ParseInfinibandCounter(file, text.value(), &errors);
  };
  for (const CounterFile& c : kCounters) {
    if (std::optional<std::uint64_t> v = read(c.dir, c.file)) {
      port.counters.emplace_back(&c, *v);
    }
  }
  port.lifespan_ms = read("hw_counters", "lifespan");
  sink.CountParseError(errors);
  return failure;
}

// Reads one required attribute of a port and parses it; an error names the file.
template <typename Parse>
Result<std::uint64_t> ReadPortValue(const DirHandle& dir, std::string_view file, Parse parse, MetricSink& sink) {
  Result<std::string> text = dir.ReadAttribute(file);
  if (!text.ok()) {
    return Status::Error(text.status().message());
  }
  auto v = parse(text.value());
  if (!v) {
    sink.CountParseError();
    return Status::Error(dir.path() + "/" + std::string(file) + ": cannot parse \"" + text.value() + "\"");
  }
  return static_cast<std::uint64_t>(*v);
}

Result<Port> ReadPort(const DirHandle& ports_dir, const std::string& name, MetricSink& sink) {
  Port port;
  std::optional<std::uint64_t> number = ParseUint(name);
  if (!number || *number > 0xffffffffu) {
    return Status::Error(ports_dir.path() + "/" + name + ": not a port number");
  }
  port.number = static_cast<std::uint32_t>(*number);
  Result<DirHandle> dir = ports_dir.OpenDir(name);
  if (!dir.ok()) {
    return Status::Error(dir.status().message());
  }
  Result<std::uint64_t> state = ReadPortValue(dir.value(), "state", ParseInfinibandState, sink);
  Result<std::uint64_t> phys = ReadPortValue(dir.value(), "phys_state", ParseInfinibandState, sink);
  Result<std::uint64_t> rate = ReadPortValue(dir.value(), "rate", ParseInfinibandRate, sink);
  for (const Result<std::uint64_t>* r : {&state, &phys, &rate}) {
    if (!r->ok()) {
      return r->status();
    }
  }
  port.state = static_cast<std::uint32_t>(state.value());
  port.phys_state = static_cast<std::uint32_t>(phys.value());
  port.rate = rate.value();
  Status s = ReadCounters(dir.value(), port, sink);
  if (!s.ok()) {
    return s;
  }
  return port;
}

// A device; as node_exporter, fw_ver and the ports/ directory must be there.
Result<Device> ReadDevice(const DirHandle& class_dir, const std::string& name, MetricSink& sink) {
  Device dev{name, {}, {}};
  Result<DirHandle> dir = class_dir.OpenDir(name);
  if (!dir.ok()) {
    return Status::Error(dir.status().message());
  }
  for (const char* file : {"fw_ver", "board_id", "hca_type"}) {
    Result<std::string> v = dir.value().ReadAttribute(file);
    if (!v.ok() && (std::string_view(file) == "fw_ver" || !v.status().no_data())) {
      return Status::Error("failed to read " + std::string(file) + ": " + v.status().message());
    }
    dev.attributes[file] = v.ok() ? std::string(TrimSpace(v.value())) : "";
  }
  Result<DirHandle> ports_dir = dir.value().OpenDir("ports");
  Result<std::vector<std::string>> ports =
      ports_dir.ok() ? ports_dir.value().List() : Result<std::vector<std::string>>(ports_dir.status());
  if (!ports.ok()) {
    return Status::Error("failed to list InfiniBand ports: " + ports.status().message());
  }
  for (const std::string& p : ports.value()) {
    Result<Port> port = ReadPort(ports_dir.value(), p, sink);
    if (!port.ok()) {
      return port.status();
    }
    dev.ports[port.value().number] = std::move(port).value();
  }
  return dev;
}

class InfinibandCollector : public Collector {
 public:
  InfinibandCollector(const ProcFs& fs, DeviceFilter filter) : fs_(fs), filter_(std::move(filter)) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/infiniband"));
    Result<std::vector<std::string>> names =
        class_dir.ok() ? class_dir.value().List() : Result<std::vector<std::string>>(class_dir.status());
    if (!names.ok()) {
      return names.status();  // no such directory: NoData
    }
    // As node_exporter, the whole class is read before anything is exported.
    std::vector<Device> devices;
    for (const std::string& name : names.value()) {
      Result<Device> dev = ReadDevice(class_dir.value(), name, sink);
      if (!dev.ok()) {
        return Status::Error("error obtaining InfiniBand class info: " + dev.status().message());
      }
      devices.push_back(std::move(dev).value());
    }
    for (const Device& d : devices) {
      if (!filter_.Ignored(d.name)) {
        Add(d, sink);
      }
    }
    return Status::OK();
  }

 private:
  static void Add(const Device& d, MetricSink& sink) {
    sink.Add(kInfo, 1, {d.name, d.attributes.at("board_id"), d.attributes.at("fw_ver"), d.attributes.at("hca_type")});
    for (const auto& [number, p] : d.ports) {
      const std::string port = std::to_string(number);
      sink.Add(kStateId, p.state, {d.name, port});
      sink.Add(kPhysStateId, p.phys_state, {d.name, port});
      sink.Add(kRate, static_cast<double>(p.rate), {d.name, port});
      for (const auto& [counter, value] : p.counters) {
        sink.Add(counter->desc, static_cast<double>(value), {d.name, port});
      }
      if (p.lifespan_ms) {
        sink.Add(kLifespan, static_cast<double>(*p.lifespan_ms / 1000), {d.name, port});
      }
    }
  }

  const ProcFs& fs_;
  const DeviceFilter filter_;
};

}  // namespace

std::optional<std::uint32_t> ParseInfinibandState(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<std::uint64_t> id = ParseUint(TrimSpace(text.substr(0, colon)));
  if (!id || *id > 0xffffffffu) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*id);
}

std::optional<std::uint64_t> ParseInfinibandRate(std::string_view text) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<double> v = ParseDouble(TrimSpace(text.substr(0, space)));
  if (!v || !(*v >= 0) || *v > 1e9) {
    return std::nullopt;
  }
  // Go's ParseFloat(s, 32): the value rounded to float32, then widened again.
  const double rate = static_cast<double>(static_cast<float>(*v)) * 125000000;
  return static_cast<std::uint64_t>(rate);
}

std::optional<std::uint64_t> ParseInfinibandCounter(std::string_view file, std::string_view text,
                                                    std::uint64_t* parse_errors) {
  text = TrimSpace(text);
  std::optional<std::uint64_t> v = ParseGoUint(text);
  if (!v) {
    if (text.find("N/A (no PMA)") == std::string_view::npos) {
      ++*parse_errors;
    }
    return std::nullopt;
  }
  const bool words = file == "port_rcv_data" || file == "port_xmit_data" || file == "port_rcv_data_64" ||
                     file == "port_xmit_data_64";
  return words ? *v * 4 : *v;  // wraps like Go's uint64 multiplication
}

CollectorSpec InfinibandCollectorSpec() {
  return {"infiniband",
          true,
          "Exposes InfiniBand/RDMA port state, rate and counters from /sys/class/infiniband/<device>/ports/<port>/ "
          "(node_infiniband_info, node_infiniband_{state_id,physical_state_id,rate_bytes_per_second}, "
          "node_infiniband_*_total from counters/, counters_ext/ and hw_counters/).",
          {kDeviceInclude.Spec(), kDeviceExclude.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> filter =
                DeviceFilter::Make(ctx.options.Get(kDeviceExclude), ctx.options.Get(kDeviceInclude));
            if (!filter.ok()) {
              return filter.status();
            }
            return CollectorPtr(std::make_unique<InfinibandCollector>(ctx.fs, std::move(filter).value()));
          }};
}

}  // namespace hostwatch
