#include "collectors/host/fibrechannel.h"

#include <cerrno>
#include <limits>
#include <memory>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kHostLabel = {"fc_host"};

// statistics/ counters: file and exported metric.
struct Counter {
  std::string file;
  MetricDesc desc;
};
Counter MakeCounter(std::string file, const std::string& metric, std::string help) {
  return {std::move(file), {"node_fibrechannel_" + metric, std::move(help), MetricType::Counter, kHostLabel}};
}
const std::vector<Counter> kCounters = {
    MakeCounter("dumped_frames", "dumped_frames_total", "Number of dumped frames"),
    MakeCounter("error_frames", "error_frames_total", "Number of errors in frames"),
    MakeCounter("invalid_crc_count", "invalid_crc_total", "Invalid Cyclic Redundancy Check count"),
    MakeCounter("rx_frames", "rx_frames_total", "Number of frames received"),
    MakeCounter("rx_words", "rx_words_total", "Number of words received by host port"),
    MakeCounter("tx_frames", "tx_frames_total", "Number of frames transmitted by host port"),
    MakeCounter("tx_words", "tx_words_total", "Number of words transmitted by host port"),
    MakeCounter("seconds_since_last_reset", "seconds_since_last_reset_total",
                "Number of seconds since last host port reset"),
    MakeCounter("invalid_tx_word_count", "invalid_tx_words_total", "Number of invalid words transmitted by host port"),
    MakeCounter("link_failure_count", "link_failure_total", "Number of times the host port link has failed"),
    MakeCounter("loss_of_sync_count", "loss_of_sync_total",
                "Number of failures on either bit or transmission word boundaries"),
    MakeCounter("loss_of_signal_count", "loss_of_signal_total", "Number of times signal has been lost"),
    MakeCounter("nos_count", "nos_total", "Number Not_Operational Primitive Sequence received by host port"),
    MakeCounter("fcp_packet_aborts", "fcp_packet_aborts_total", "Number of aborted packets"),
};

// The info series' labels after fc_host, in node_exporter's order; each is
// the attribute file of the same name.
const std::vector<std::string> kInfoAttributes = {
    "speed",       "port_state",    "port_type",         "port_id",          "port_name",
    "fabric_name", "symbolic_name", "supported_classes", "supported_speeds", "dev_loss_tmo"};
const MetricDesc kInfo = [] {
  std::vector<std::string> labels = kHostLabel;
  labels.insert(labels.end(), kInfoAttributes.begin(), kInfoAttributes.end());
  return MetricDesc{"node_fibrechannel_info", "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
                    MetricType::Gauge, labels};
}();

// A firmware that does not implement a counter reports all ones.
constexpr std::uint64_t kUnimplemented = std::numeric_limits<std::uint64_t>::max();

// Reads the named files of dir. Missing ones are left out; EOPNOTSUPP, EINVAL
// and EISDIR (write-only or odd entries in statistics/) too; other failures
// fail the read, as in node_exporter.
Result<std::map<std::string, std::string>> ReadFiles(const DirHandle& dir, const std::vector<std::string>& files) {
  std::map<std::string, std::string> out;
  for (const std::string& file : files) {
    Result<std::string> v = dir.ReadAttribute(file);
    if (v.ok()) {
      out.emplace(file, std::move(v).value());
      continue;
    }
    const int err = v.status().sys_errno();
    if (!v.status().no_data() && err != EOPNOTSUPP && err != EINVAL && err != EISDIR) {
      return v.status();
    }
  }
  return out;
}

const std::vector<std::string>& CounterFiles() {
  static const std::vector<std::string> kFiles = [] {
    std::vector<std::string> files;
    for (const Counter& c : kCounters) {
      files.push_back(c.file);
    }
    return files;
  }();
  return kFiles;
}

class FibrechannelCollector : public Collector {
 public:
  explicit FibrechannelCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> class_dir = fs_.OpenDir(fs_.SysPath("class/fc_host"));
    if (!class_dir.ok()) {
      return class_dir.status();
    }
    Result<std::vector<std::string>> names = class_dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // As node_exporter: the whole class is read first; a host that cannot be
    // read (no statistics/ directory included) fails the scrape.
    std::vector<FibreChannelHost> hosts;
    for (const std::string& name : names.value()) {
      Result<std::optional<FibreChannelHost>> host = ReadHost(class_dir.value(), name, sink);
      if (!host.ok()) {
        return host.status();
      }
      if (host.value()) {
        hosts.push_back(std::move(*host.value()));
      }
    }
    for (const FibreChannelHost& h : hosts) {
      Add(h, sink);
    }
    return Status::OK();
  }

 private:
  static Result<std::optional<FibreChannelHost>> ReadHost(const DirHandle& class_dir, const std::string& name,
                                                          MetricSink& sink) {
    Result<DirHandle> dir = class_dir.OpenDir(name);
    if (!dir.ok()) {
      return dir.status();
    }
    Result<std::map<std::string, std::string>> attrs = ReadFiles(dir.value(), FibreChannelAttributeFiles());
    if (!attrs.ok()) {
      return attrs.status();
    }
    Result<DirHandle> stats_dir = dir.value().OpenDir("statistics");
    if (!stats_dir.ok()) {
      return stats_dir.status();
    }
    Result<std::map<std::string, std::string>> stats = ReadFiles(stats_dir.value(), CounterFiles());
    if (!stats.ok()) {
      return stats.status();
    }
    std::uint64_t errors = 0;
    std::optional<FibreChannelHost> host = ParseFibreChannelHost(name, attrs.value(), stats.value(), &errors);
    sink.CountParseError(errors);
    return host;
  }

  static void Add(const FibreChannelHost& h, MetricSink& sink) {
    std::vector<std::string> info = {h.name};
    for (const std::string& attr : kInfoAttributes) {
      auto it = h.attributes.find(attr);
      info.push_back(it == h.attributes.end() ? "" : it->second);
    }
    sink.Add(kInfo, 1, info);
    for (const Counter& c : kCounters) {
      auto it = h.counters.find(c.file);
      const std::uint64_t v = it == h.counters.end() ? 0 : it->second;
      if (v != kUnimplemented) {
        sink.Add(c.desc, static_cast<double>(v), {h.name});
      }
    }
  }

  const ProcFs& fs_;
};

}  // namespace

const std::vector<std::string>& FibreChannelAttributeFiles() {
  static const std::vector<std::string> kFiles = [] {
    std::vector<std::string> files = kInfoAttributes;
    files.push_back("node_name");
    return files;
  }();
  return kFiles;
}

std::optional<FibreChannelHost> ParseFibreChannelHost(std::string name,
                                                      const std::map<std::string, std::string>& attributes,
                                                      const std::map<std::string, std::string>& statistics,
                                                      std::uint64_t* parse_errors) {
  FibreChannelHost h;
  h.name = std::move(name);
  for (const auto& [file, content] : attributes) {
    std::string_view v = TrimSpace(content);
    // The names and the port id are printed as 0x...; node_exporter cuts the
    // first two characters of any value longer than two.
    const bool hex = file == "node_name" || file == "port_id" || file == "port_name" || file == "fabric_name";
    if (hex && v.size() > 2) {
      v.remove_prefix(2);
    }
    h.attributes.emplace(file, std::string(v));
  }
  for (const auto& [file, content] : statistics) {
    std::optional<std::uint64_t> v = ParseGoUint(TrimSpace(content));
    if (!v) {
      ++*parse_errors;
      return std::nullopt;
    }
    h.counters.emplace(file, *v);
  }
  return h;
}

CollectorSpec FibrechannelCollectorSpec() {
  return {"fibrechannel",
          true,
          "Exposes Fibre Channel HBA ports (/sys/class/fc_host): node_fibrechannel_info and the statistics/ "
          "counters as node_fibrechannel_*_total (counters the firmware does not implement are left out).",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<FibrechannelCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
