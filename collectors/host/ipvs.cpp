#include "collectors/host/ipvs.h"

#include <arpa/inet.h>

#include <array>
#include <map>
#include <memory>
#include <set>

#include "collectors/core/cached_file.h"
#include "collectors/core/ip_text.h"
#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

// node_exporter's label names, in the order it always exports them.
const std::vector<std::string> kAllBackendLabels = {"local_address", "local_port", "remote_address",
                                                    "remote_port",   "proto",      "local_mark"};

constexpr StringOption kBackendLabels{"ipvs", "backend-labels",
                                      "local_address,local_port,remote_address,remote_port,proto,local_mark",
                                      "Comma separated list for IPVS backend stats labels."};

const MetricDesc kConnections{
    "node_ipvs_connections_total", "The total number of connections made.", MetricType::Counter, {}};
const MetricDesc kIncomingPackets{
    "node_ipvs_incoming_packets_total", "The total number of incoming packets.", MetricType::Counter, {}};
const MetricDesc kOutgoingPackets{
    "node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", MetricType::Counter, {}};
const MetricDesc kIncomingBytes{
    "node_ipvs_incoming_bytes_total", "The total amount of incoming data.", MetricType::Counter, {}};
const MetricDesc kOutgoingBytes{
    "node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", MetricType::Counter, {}};

struct IpPort {
  std::string address;
  std::uint16_t port = 0;
};

// "C0A80016:0CEA" or "[2001:0db8:0000:0000:0000:0000:0000:0001]:0CEA", as
// procfs's parseIPPort reads them (by length); nullopt otherwise.
std::optional<IpPort> ParseIpPort(std::string_view s) {
  IpPort out;
  if (s.size() == 13) {
    std::optional<std::uint64_t> v = ParseHexUint(s.substr(0, 8));
    if (!v) {
      return std::nullopt;
    }
    out.address = std::to_string((*v >> 24) & 0xff) + "." + std::to_string((*v >> 16) & 0xff) + "." +
                  std::to_string((*v >> 8) & 0xff) + "." + std::to_string(*v & 0xff);
  } else if (s.size() == 46) {
    std::array<unsigned char, 16> bytes{};
    const std::string text(s.substr(1, 39));
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) {
      return std::nullopt;
    }
    out.address = FormatIpLabel(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  } else {
    return std::nullopt;
  }
  std::optional<std::uint64_t> port = ParseHexUint(s.substr(s.size() - 4));
  if (!port || *port > 0xffff) {
    return std::nullopt;
  }
  out.port = static_cast<std::uint16_t>(*port);
  return out;
}

// The value of one backend label for a row.
std::string LabelValue(const IpvsBackend& b, const std::string& label) {
  if (label == "local_address") return b.local_address;
  if (label == "local_port") return std::to_string(b.local_port);
  if (label == "remote_address") return b.remote_address;
  if (label == "remote_port") return std::to_string(b.remote_port);
  if (label == "proto") return b.proto;
  return b.local_mark;
}

class IpvsCollector : public Collector {
 public:
  IpvsCollector(const ProcFs& fs, std::vector<std::string> labels)
      : fs_(fs),
        active_{"node_ipvs_backend_connections_active", "The current active connections by local and remote address.",
                MetricType::Gauge, labels},
        inactive_{"node_ipvs_backend_connections_inactive",
                  "The current inactive connections by local and remote address.", MetricType::Gauge, labels},
        weight_{"node_ipvs_backend_weight", "The current backend weight by local and remote address.",
                MetricType::Gauge, labels} {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> stats_text = files_.ReadProc("net/ip_vs_stats");
    if (!stats_text.ok()) {
      return stats_text.status();
    }
    std::uint64_t errors = 0;
    std::optional<IpvsStats> stats = ParseIpvsStats(stats_text.value(), &errors);
    sink.CountParseError(errors);
    if (!stats) {
      return Status::Error(fs_.ProcPath("net/ip_vs_stats") + ": not the ip_vs_stats format (no line of 5 hex totals)");
    }
    sink.Add(kConnections, stats->connections);
    sink.Add(kIncomingPackets, stats->incoming_packets);
    sink.Add(kOutgoingPackets, stats->outgoing_packets);
    sink.Add(kIncomingBytes, stats->incoming_bytes);
    sink.Add(kOutgoingBytes, stats->outgoing_bytes);
    // As node_exporter: with ip_vs_stats present, a missing ip_vs is an error.
    Result<std::string> text = files_.ReadProc("net/ip_vs");
    if (!text.ok()) {
      return Status::Error("could not get backend status: " + text.status().message());
    }
    errors = 0;
    AddBackends(ParseIpvsBackends(text.value(), &errors), sink);
    sink.CountParseError(errors);
    return Status::OK();
  }

 private:
  // Rows with the same label values (all of them when few labels are chosen)
  // are summed into one series.
  void AddBackends(const std::vector<IpvsBackend>& backends, MetricSink& sink) const {
    struct Sum {
      std::uint64_t active = 0, inactive = 0, weight = 0;
    };
    std::map<std::vector<std::string>, Sum> sums;
    for (const IpvsBackend& b : backends) {
      std::vector<std::string> key;
      for (const std::string& label : active_.label_names) {
        key.push_back(LabelValue(b, label));
      }
      Sum& s = sums[key];
      s.active += b.active_conn;
      s.inactive += b.inact_conn;
      s.weight += b.weight;
    }
    for (const auto& [values, s] : sums) {
      sink.Add(active_, static_cast<double>(s.active), values);
      sink.Add(inactive_, static_cast<double>(s.inactive), values);
      sink.Add(weight_, static_cast<double>(s.weight), values);
    }
  }

  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
  const MetricDesc active_, inactive_, weight_;
};

}  // namespace

std::optional<IpvsStats> ParseIpvsStats(std::string_view text, std::uint64_t* parse_errors) {
  // Two header lines, then the totals; node_exporter needs a fourth line to exist.
  std::array<std::string_view, 3> lines;
  for (std::string_view& line : lines) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      ++*parse_errors;
      return std::nullopt;
    }
    line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
  }
  std::vector<std::string_view> f = SplitFields(lines[2]);
  std::array<double, 5> v{};
  for (std::size_t i = 0; i < v.size() && f.size() == v.size(); ++i) {
    std::optional<std::uint64_t> x = ParseHexUint(f[i]);
    if (!x) {
      ++*parse_errors;
      return std::nullopt;
    }
    v[i] = static_cast<double>(*x);
  }
  if (f.size() != v.size()) {
    ++*parse_errors;
    return std::nullopt;
  }
  return IpvsStats{v[0], v[1], v[2], v[3], v[4]};
}

std::vector<IpvsBackend> ParseIpvsBackends(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<IpvsBackend> out;
  std::optional<IpvsBackend> service;  // the virtual service the next "->" rows belong to
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    if (f.size() < 2 || f[0] == "IP" || f[0] == "Prot" || f[1] == "RemoteAddress:Port") {
      continue;  // blank, too short to mean anything, or a header line
    }
    if (f[0] == "TCP" || f[0] == "UDP") {
      std::optional<IpPort> local = ParseIpPort(f[1]);
      service = local ? std::optional<IpvsBackend>(IpvsBackend{local->address, local->port, "", 0, std::string(f[0]), ""})
                      : std::nullopt;
      *parse_errors += local ? 0 : 1;
    } else if (f[0] == "FWM") {
      service = IpvsBackend{"", 0, "", 0, "FWM", std::string(f[1])};
    } else if (f[0] == "->" && f.size() >= 6) {
      std::optional<IpPort> remote = ParseIpPort(f[1]);
      std::optional<std::uint64_t> weight = ParseUint(f[3]), active = ParseUint(f[4]), inact = ParseUint(f[5]);
      if (!service || !remote || !weight || !active || !inact) {
        ++*parse_errors;
        continue;
      }
      IpvsBackend b = *service;
      b.remote_address = remote->address;
      b.remote_port = remote->port;
      b.weight = *weight;
      b.active_conn = *active;
      b.inact_conn = *inact;
      out.push_back(std::move(b));
    }
  }
  return out;
}

Result<std::vector<std::string>> ParseIpvsBackendLabels(std::string_view list) {
  std::set<std::string> wanted;
  for (std::string_view rest = list; !rest.empty();) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (!item.empty()) {
      wanted.emplace(item);
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  std::vector<std::string> labels;
  for (const std::string& label : kAllBackendLabels) {
    if (wanted.erase(label) > 0) {
      labels.push_back(label);
    }
  }
  if (!wanted.empty()) {
    return Status::Error("unknown IPVS backend labels: \"" +
                         Join(std::vector<std::string>(wanted.begin(), wanted.end()), ", ") + "\"");
  }
  return labels;
}

CollectorSpec IpvsCollectorSpec() {
  return {"ipvs",
          true,
          "Exposes IPVS totals from /proc/net/ip_vs_stats (node_ipvs_{connections,incoming_packets,"
          "outgoing_packets,incoming_bytes,outgoing_bytes}_total) and per-backend connections and weights from "
          "/proc/net/ip_vs (node_ipvs_backend_{connections_active,connections_inactive,weight}).",
          {kBackendLabels.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<std::vector<std::string>> labels = ParseIpvsBackendLabels(ctx.options.Get(kBackendLabels));
            if (!labels.ok()) {
              return labels.status();
            }
            return CollectorPtr(std::make_unique<IpvsCollector>(ctx.fs, std::move(labels).value()));
          }};
}

}  // namespace hostwatch
