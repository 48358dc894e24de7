#include "collectors/host/drbd.h"

#include <memory>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kDeviceLabel = {"device"};
const std::vector<std::string> kDeviceNodeLabels = {"device", "node"};

// A numeric field: its key, metric and multiplier (DRBD counts some in KiB).
struct NumericField {
  std::string key;
  MetricDesc desc;
  double multiplier;
};
NumericField Numeric(std::string key, const std::string& metric, std::string help, MetricType type, double multiplier) {
  return {std::move(key), {"node_drbd_" + metric, std::move(help), type, kDeviceLabel}, multiplier};
}
const std::vector<NumericField> kNumeric = {
    Numeric("ns", "network_sent_bytes_total", "Total number of bytes sent via the network.", MetricType::Counter, 1024),
    Numeric("nr", "network_received_bytes_total", "Total number of bytes received via the network.",
            MetricType::Counter, 1),
    Numeric("dw", "disk_written_bytes_total", "Net data written on local hard disk; in bytes.", MetricType::Counter,
            1024),
    Numeric("dr", "disk_read_bytes_total", "Net data read from local hard disk; in bytes.", MetricType::Counter, 1024),
    Numeric("al", "activitylog_writes_total", "Number of updates of the activity log area of the meta data.",
            MetricType::Counter, 1),
    Numeric("bm", "bitmap_writes_total", "Number of updates of the bitmap area of the meta data.", MetricType::Counter,
            1),
    Numeric("lo", "local_pending", "Number of open requests to the local I/O sub-system.", MetricType::Gauge, 1),
    Numeric("pe", "remote_pending",
            "Number of requests sent to the peer, but that have not yet been answered by the latter.",
            MetricType::Gauge, 1),
    Numeric("ua", "remote_unacknowledged",
            "Number of requests received by the peer via the network connection, but that have not yet been "
            "answered.",
            MetricType::Gauge, 1),
    Numeric("ap", "application_pending",
            "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.", MetricType::Gauge, 1),
    Numeric("ep", "epochs", "Number of Epochs currently on the fly.", MetricType::Gauge, 1),
    Numeric("oos", "out_of_sync_bytes", "Amount of data known to be out of sync; in bytes.", MetricType::Gauge, 1024),
};

// A local/remote pair: 1 for the side whose value is the good one.
struct PairField {
  std::string key;
  MetricDesc desc;
  std::string ok_value;
};
const std::vector<PairField> kPairs = {
    {"ro",
     {"node_drbd_node_role_is_primary", "Whether the role of the node is in the primary state.", MetricType::Gauge,
      kDeviceNodeLabels},
     "Primary"},
    {"ds",
     {"node_drbd_disk_state_is_up_to_date", "Whether the disk of the node is up to date.", MetricType::Gauge,
      kDeviceNodeLabels},
     "UpToDate"},
};

const MetricDesc kConnected{"node_drbd_connected", "Whether DRBD is connected to the peer.", MetricType::Gauge,
                            kDeviceLabel};

bool IsNumericKey(std::string_view key) {
  for (const NumericField& f : kNumeric) {
    if (f.key == key) {
      return true;
    }
  }
  return false;
}

bool IsPairKey(std::string_view key) { return key == "ro" || key == "ds"; }

// Adds one key:value field to device d.
void AddField(std::string_view key, std::string_view value, DrbdDevice& d, std::uint64_t* parse_errors) {
  if (IsNumericKey(key)) {
    std::optional<double> v = ParseDouble(value);
    if (v) {
      d.numbers[std::string(key)] = *v;
    } else {
      ++*parse_errors;
    }
  } else if (IsPairKey(key)) {
    const std::size_t slash = value.find('/');
    if (slash == std::string_view::npos) {
      ++*parse_errors;  // node_exporter would index past the end here
      return;
    }
    std::string_view remote = value.substr(slash + 1);
    remote = remote.substr(0, remote.find('/'));
    d.pairs[std::string(key)] = {std::string(value.substr(0, slash)), std::string(remote)};
  } else if (key == "cs") {
    d.connection_state = std::string(value);
  }
}

class DrbdCollector : public Collector {
 public:
  explicit DrbdCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("drbd");
    if (!text.ok()) {
      return text.status();  // no /proc/drbd (module not loaded): no data
    }
    std::uint64_t errors = 0;
    std::vector<DrbdDevice> devices = ParseDrbd(text.value(), &errors);
    sink.CountParseError(errors);
    for (const DrbdDevice& d : devices) {
      for (const NumericField& f : kNumeric) {
        if (auto it = d.numbers.find(f.key); it != d.numbers.end()) {
          sink.Add(f.desc, it->second * f.multiplier, {d.name});
        }
      }
      for (const PairField& f : kPairs) {
        if (auto it = d.pairs.find(f.key); it != d.pairs.end()) {
          sink.Add(f.desc, it->second.first == f.ok_value ? 1 : 0, {d.name, "local"});
          sink.Add(f.desc, it->second.second == f.ok_value ? 1 : 0, {d.name, "remote"});
        }
      }
      if (d.connection_state) {
        sink.Add(kConnected, *d.connection_state == "Connected" ? 1 : 0, {d.name});
      }
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};
};

}  // namespace

std::vector<DrbdDevice> ParseDrbd(std::string_view text, std::uint64_t* parse_errors) {
  std::vector<DrbdDevice> devices;
  for (std::string_view line : SplitLines(text)) {
    for (std::string_view word : SplitFields(line)) {
      const std::size_t colon = word.find(':');
      if (colon == std::string_view::npos || word.find(':', colon + 1) != std::string_view::npos) {
        continue;  // not key:value
      }
      const std::string_view key = word.substr(0, colon);
      const std::string_view value = word.substr(colon + 1);
      if (value.empty() && ParseUint(key)) {
        devices.push_back({"drbd" + std::to_string(*ParseUint(key)), {}, {}, std::nullopt});
        continue;
      }
      if (!IsNumericKey(key) && !IsPairKey(key) && key != "cs") {
        continue;  // version:, wo:, ...: not exported
      }
      if (devices.empty()) {
        devices.push_back({"unknown", {}, {}, std::nullopt});
      }
      AddField(key, value, devices.back(), parse_errors);
    }
  }
  return devices;
}

CollectorSpec DrbdCollectorSpec() {
  return {"drbd",
          false,
          "Exposes DRBD 8 device statistics from /proc/drbd: node_drbd_{network_sent,network_received,disk_written,"
          "disk_read}_bytes_total, node_drbd_{activitylog,bitmap}_writes_total, pending and out-of-sync gauges, "
          "node_drbd_{connected,node_role_is_primary,disk_state_is_up_to_date}.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<DrbdCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch
