#include "netdev.h"

#include "device_filter.h"
#include "parse_util.h"

namespace hostwatch {
namespace {

MetricDesc NetDevDesc(std::string_view stat) {
  return {"node_network_" + std::string(stat) + "_total", "Network device statistic " + std::string(stat) + ".",
          MetricType::Counter, {"device"}};
}

// One family per column, in column order (see NetDevLine).
const std::array<MetricDesc, 16> kColumns = {
    NetDevDesc("receive_bytes"),      NetDevDesc("receive_packets"),   NetDevDesc("receive_errs"),
    NetDevDesc("receive_drop"),       NetDevDesc("receive_fifo"),      NetDevDesc("receive_frame"),
    NetDevDesc("receive_compressed"), NetDevDesc("receive_multicast"), NetDevDesc("transmit_bytes"),
    NetDevDesc("transmit_packets"),   NetDevDesc("transmit_errs"),     NetDevDesc("transmit_drop"),
    NetDevDesc("transmit_fifo"),      NetDevDesc("transmit_colls"),    NetDevDesc("transmit_carrier"),
    NetDevDesc("transmit_compressed"),
};

class NetdevCollector : public Collector {
 public:
  NetdevCollector(const ProcFs& fs, DeviceFilter filter) : fs_(fs), filter_(std::move(filter)) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = fs_.ReadProc("net/dev");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    std::vector<NetDevLine> devices = ParseNetDev(text.value(), &errors);
    sink.CountParseError(errors);
    for (const NetDevLine& dev : devices) {
      if (filter_.Ignored(dev.device)) {
        continue;
      }
      for (std::size_t i = 0; i < kColumns.size(); ++i) {
        sink.Add(kColumns[i], static_cast<double>(dev.counters[i]), {dev.device});
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  const DeviceFilter filter_;
};

}  // namespace

std::vector<NetDevLine> ParseNetDev(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<NetDevLine> out;
  std::vector<std::string_view> lines = SplitLines(text);
  // The first two lines are the column headers (man 5 proc, /proc/net/dev).
  for (std::size_t n = 2; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (TrimSpace(line).empty()) {
      continue;
    }
    // The counters contain no ':', the name may ("eth0:1" aliases on old kernels).
    std::size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      ++*parse_errors;
      continue;
    }
    NetDevLine dev;
    dev.device = std::string(TrimSpace(line.substr(0, colon)));
    std::vector<std::string_view> f = SplitFields(line.substr(colon + 1));
    bool ok = !dev.device.empty() && f.size() == dev.counters.size();
    for (std::size_t i = 0; ok && i < f.size(); ++i) {
      std::optional<std::uint64_t> v = ParseUint(f[i]);
      ok = v.has_value();
      dev.counters[i] = v.value_or(0);
    }
    if (!ok) {
      ++*parse_errors;
      continue;
    }
    out.push_back(std::move(dev));
  }
  return out;
}

CollectorSpec NetdevCollectorSpec() {
  return {"netdev",
          true,
          "Exposes network interface statistics (/proc/net/dev): node_network_{receive,transmit}_*_total.",
          {{"device-exclude", OptionKind::kRegex, "",
            "Regexp of net devices to exclude (mutually exclusive to device-include)."},
           {"device-include", OptionKind::kRegex, "",
            "Regexp of net devices to include (mutually exclusive to device-exclude)."}},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            Result<DeviceFilter> filter =
                MakeDeviceFilter({"device-exclude", "device-include", ""}, ctx.options.Get("netdev", "device-exclude"),
                                 ctx.options.Get("netdev", "device-include"));
            if (!filter.ok()) {
              return Status::Error("collector netdev: " + filter.status().message());
            }
            return CollectorPtr(std::make_unique<NetdevCollector>(ctx.fs, std::move(filter).value()));
          }};
}

}  // namespace hostwatch
