#include "collectors/host/wifi.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>

#include <cerrno>
#include <memory>

#include "collectors/core/netlink_dump.h"
#include "collectors/core/proc_fs.h"
#include "collectors/host/netclass_netlink.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kStationLabels = {"device", "mac_address"};
const MetricDesc kFrequency{"node_wifi_interface_frequency_hertz",
                            "The current frequency a WiFi interface is operating at, in hertz.",
                            MetricType::Gauge,
                            {"device"}};
const MetricDesc kStationInfo{"node_wifi_station_info",
                              "Labeled WiFi interface station information as provided by the operating system.",
                              MetricType::Gauge,
                              {"device", "bssid", "ssid", "mode"}};

// The per-station families, in node_exporter's order, each with the field it exports.
struct StationFamily {
  MetricDesc desc;
  double (*value)(const WifiStation&);
};
MetricDesc StationDesc(std::string name, std::string help, MetricType type) {
  return {"node_wifi_station_" + std::move(name), std::move(help), type, kStationLabels};
}
const std::vector<StationFamily>& StationFamilies() {
  using T = MetricType;
  static const std::vector<StationFamily> kFamilies = {
      {StationDesc("connected_seconds_total", "The total number of seconds a station has been connected to an access point.", T::Counter),
       [](const WifiStation& s) { return GoDurationSeconds(s.connected_ns); }},
      {StationDesc("inactive_seconds", "The number of seconds since any wireless activity has occurred on a station.", T::Gauge),
       [](const WifiStation& s) { return GoDurationSeconds(s.inactive_ns); }},
      {StationDesc("receive_bits_per_second", "The current WiFi receive bitrate of a station, in bits per second.", T::Gauge),
       [](const WifiStation& s) { return static_cast<double>(s.receive_bitrate); }},
      {StationDesc("transmit_bits_per_second", "The current WiFi transmit bitrate of a station, in bits per second.", T::Gauge),
       [](const WifiStation& s) { return static_cast<double>(s.transmit_bitrate); }},
      {StationDesc("receive_bytes_total", "The total number of bytes received by a WiFi station.", T::Counter),
       [](const WifiStation& s) { return static_cast<double>(s.received_bytes); }},
      {StationDesc("transmit_bytes_total", "The total number of bytes transmitted by a WiFi station.", T::Counter),
       [](const WifiStation& s) { return static_cast<double>(s.transmitted_bytes); }},
      {StationDesc("signal_dbm", "The current WiFi signal strength, in decibel-milliwatts (dBm).", T::Gauge),
       [](const WifiStation& s) { return static_cast<double>(s.signal); }},
      {StationDesc("transmit_retries_total", "The total number of times a station has had to retry while sending a packet.", T::Counter),
       [](const WifiStation& s) { return static_cast<double>(s.transmit_retries); }},
      {StationDesc("transmit_failed_total", "The total number of times a station has failed to send a packet.", T::Counter),
       [](const WifiStation& s) { return static_cast<double>(s.transmit_failed); }},
      {StationDesc("beacon_loss_total", "The total number of times a station has detected a beacon loss.", T::Counter),
       [](const WifiStation& s) { return static_cast<double>(s.beacon_loss); }},
      {StationDesc("transmitted_packets_total", "The total number of packets transmitted by a station.", T::Counter),
       [](const WifiStation& s) { return static_cast<double>(s.transmitted_packets); }},
      {StationDesc("received_packets_total", "The total number of packets received by a station.", T::Counter),
       [](const WifiStation& s) { return static_cast<double>(s.received_packets); }},
  };
  return kFamilies;
}

// node_exporter's bssStatusMode over the library's BSSStatus, whose numbering is not the kernel's
// (0 authenticated, 1 associated, 2 not associated, 3 IBSS joined) although the library stores the
// kernel's NL80211_BSS_STATUS_* value in it: a kernel "IBSS joined" (2) is "unknown" there, so here.
std::string_view BssMode(long long status) {
  if (status == 0 || status == 1) return "client";
  if (status == 3) return "ad-hoc";
  return "unknown";
}

// Where the interfaces, BSS and stations come from: nl80211 or upstream's fixture files.
// BSS and Stations give nullopt where the library says "not available" (os.ErrNotExist).
class WifiSource {
 public:
  virtual ~WifiSource() = default;
  virtual Result<std::vector<WifiInterface>> Interfaces() = 0;
  virtual Result<std::optional<WifiBss>> Bss(const WifiInterface& ifi) = 0;
  virtual Result<std::optional<std::vector<WifiStation>>> Stations(const WifiInterface& ifi) = 0;
  std::uint64_t parse_errors = 0;
};

class Nl80211Source : public WifiSource {
 public:
  explicit Nl80211Source(std::uint16_t family) : family_(family) {}

  Result<std::vector<WifiInterface>> Interfaces() override {
    Result<std::string> dump = Dump(NL80211_CMD_GET_INTERFACE, "");
    return dump.ok() ? ParseWifiInterfaces(dump.value(), &parse_errors) : dump.status();
  }
  Result<std::optional<WifiBss>> Bss(const WifiInterface& ifi) override {
    Result<std::string> dump = Dump(NL80211_CMD_GET_SCAN, IdAttributes(ifi));
    if (!dump.ok()) return NotExistIsNothing<WifiBss>(dump.status());
    return ParseWifiBss(dump.value(), &parse_errors);
  }
  Result<std::optional<std::vector<WifiStation>>> Stations(const WifiInterface& ifi) override {
    Result<std::string> dump = Dump(NL80211_CMD_GET_STATION, IdAttributes(ifi));
    if (!dump.ok()) return NotExistIsNothing<std::vector<WifiStation>>(dump.status());
    return ParseWifiStations(dump.value(), &parse_errors);
  }

 private:
  template <typename T>
  static Result<std::optional<T>> NotExistIsNothing(const Status& s) {
    return s.sys_errno() == ENOENT ? Result<std::optional<T>>(std::optional<T>()) : Result<std::optional<T>>(s);
  }
  // The interface as the library names it in a request: its index, and its MAC when known.
  static std::string IdAttributes(const WifiInterface& ifi) {
    std::string out = NetlinkAttributeBytes(
        NL80211_ATTR_IFINDEX, std::string_view(reinterpret_cast<const char*>(&ifi.index), sizeof(ifi.index)));
    if (ifi.mac) out += NetlinkAttributeBytes(NL80211_ATTR_MAC, *ifi.mac);
    return out;
  }
  Result<std::string> Dump(std::uint8_t cmd, std::string_view attributes) const {
    genlmsghdr genl{};
    genl.cmd = cmd;
    genl.version = 1;
    return NetlinkDump(NETLINK_GENERIC, NetlinkRequest(family_, NLM_F_REQUEST | NLM_F_DUMP,
                                                       std::string_view(reinterpret_cast<const char*>(&genl),
                                                                        sizeof(genl)),
                                                       attributes));
  }
  const std::uint16_t family_;
};

class FixtureSource : public WifiSource {
 public:
  FixtureSource(const ProcFs& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  Result<std::vector<WifiInterface>> Interfaces() override {
    return Read<std::vector<WifiInterface>>("interfaces.json", ParseWifiInterfacesJson, /*missing_ok=*/false);
  }
  Result<std::optional<WifiBss>> Bss(const WifiInterface& ifi) override {
    return ReadOptional<WifiBss>(ifi.name + "/bss.json", ParseWifiBssJson);
  }
  Result<std::optional<std::vector<WifiStation>>> Stations(const WifiInterface& ifi) override {
    return ReadOptional<std::vector<WifiStation>>(ifi.name + "/stationinfo.json", ParseWifiStationsJson);
  }

 private:
  template <typename T>
  Result<std::optional<T>> ReadOptional(const std::string& rel, T (*parse)(std::string_view, ConfigDiagnostics*)) {
    Result<T> r = Read<T>(rel, parse, /*missing_ok=*/true);
    if (!r.ok()) return r.status().no_data() ? Result<std::optional<T>>(std::optional<T>()) : r.status();
    return std::optional<T>(std::move(r.value()));
  }
  template <typename T>
  Result<T> Read(const std::string& rel, T (*parse)(std::string_view, ConfigDiagnostics*), bool missing_ok) {
    const std::string path = ProcFs::Join(dir_, rel);
    Result<std::string> text = fs_.ReadFile(path);
    if (!text.ok()) {
      return missing_ok && text.status().no_data() ? text.status() : Status::Error(text.status().message());
    }
    ConfigDiagnostics diag(path);
    T out = parse(text.value(), &diag);
    if (!diag.ok()) return Status::Error(diag.ToString());
    return out;
  }
  const ProcFs& fs_;
  const std::string dir_;
};

void AddInterface(WifiSource& source, const WifiInterface& ifi, MetricSink& sink, Status* error) {
  sink.Add(kFrequency, static_cast<double>(ifi.frequency_mhz) * 1000 * 1000, {ifi.name});
  Result<std::optional<WifiBss>> bss = source.Bss(ifi);
  if (!bss.ok()) {
    *error = Status::Error("failed to retrieve BSS for device " + ifi.name + ": " + bss.status().message());
    return;
  }
  if (bss.value()) {
    const WifiBss& b = *bss.value();
    sink.Add(kStationInfo, 1, {ifi.name, HardwareAddrString(b.bssid), b.ssid, BssMode(b.status)});
  }
  Result<std::optional<std::vector<WifiStation>>> stations = source.Stations(ifi);
  if (!stations.ok()) {
    *error = Status::Error("failed to retrieve station info for device \"" + ifi.name +
                           "\": " + stations.status().message());
    return;
  }
  for (const WifiStation& s : stations.value().value_or(std::vector<WifiStation>{})) {
    const std::string mac = HardwareAddrString(s.mac);
    for (const StationFamily& f : StationFamilies()) {
      sink.Add(f.desc, f.value(s), {ifi.name, mac});
    }
  }
}

class WifiCollector : public Collector {
 public:
  WifiCollector(const ProcFs& fs, std::string fixtures) : fs_(fs), fixtures_(std::move(fixtures)) {}

  Status Collect(MetricSink& sink) override {
    std::unique_ptr<WifiSource> source;
    if (!fixtures_.empty()) {
      source = std::make_unique<FixtureSource>(fs_, fixtures_);
    } else {
      Result<std::uint16_t> family = GenericNetlinkFamilyId(NL80211_GENL_NAME);
      if (!family.ok()) {
        const int e = family.status().sys_errno();
        if (e == ENOENT || e == EACCES || e == EPERM) {
          return Status::NoData("wifi collector metrics are not available for this system", e);
        }
        return Status::Error("failed to access wifi data: " + family.status().message());
      }
      source = std::make_unique<Nl80211Source>(family.value());
    }
    Status s = CollectFrom(*source, sink);
    sink.CountParseError(source->parse_errors);
    return s;
  }

 private:
  static Status CollectFrom(WifiSource& source, MetricSink& sink) {
    Result<std::vector<WifiInterface>> interfaces = source.Interfaces();
    if (!interfaces.ok()) {
      return Status::Error("failed to retrieve wifi interfaces: " + interfaces.status().message());
    }
    for (const WifiInterface& ifi : interfaces.value()) {
      if (ifi.name.empty()) {
        continue;  // a wireless device without a network interface (P2P device)
      }
      Status error = Status::OK();
      AddInterface(source, ifi, sink, &error);
      if (!error.ok()) {
        return error;
      }
    }
    return Status::OK();
  }

  const ProcFs& fs_;
  const std::string fixtures_;
};

}  // namespace

constexpr StringOption kFixtures{"wifi", "fixtures", "", "test fixtures to use for wifi collector metrics"};

CollectorSpec WifiCollectorSpec() {
  return {"wifi",
          false,
          "Exposes wireless interfaces, their BSS and stations from nl80211 (generic netlink): node_wifi_*.",
          {kFixtures.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<WifiCollector>(ctx.fs, ctx.options.Get(kFixtures)));
          }};
}

}  // namespace hostwatch
