#include "collectors/host/pcidevice.h"

#include <memory>

#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kLocationLabels = {"segment", "bus", "device", "function"};

MetricDesc Gauge(const std::string& name, std::string help) {
  return {"node_pcidevice_" + name, std::move(help), MetricType::Gauge, kLocationLabels};
}
const MetricDesc kMaxLinkTs =
    Gauge("max_link_transfers_per_second", "Value of maximum link's transfers per second (T/s)");
const MetricDesc kMaxLinkWidth = Gauge("max_link_width", "Value of maximum link's width (number of lanes)");
const MetricDesc kCurrentLinkTs =
    Gauge("current_link_transfers_per_second", "Value of current link's transfers per second (T/s)");
const MetricDesc kCurrentLinkWidth = Gauge("current_link_width", "Value of current link's width (number of lanes)");
const MetricDesc kD3coldAllowed =
    Gauge("d3cold_allowed", "Whether the PCIe device supports D3cold power state (0/1).");
const MetricDesc kSriovAutoprobe =
    Gauge("sriov_drivers_autoprobe", "Whether SR-IOV drivers autoprobe is enabled for the device (0/1).");
const MetricDesc kSriovNumvfs =
    Gauge("sriov_numvfs", "Number of Virtual Functions (VFs) currently enabled for SR-IOV.");
const MetricDesc kSriovTotalvfs =
    Gauge("sriov_totalvfs", "Total number of Virtual Functions (VFs) supported by the device.");
const MetricDesc kSriovVfTotalMsix =
    Gauge("sriov_vf_total_msix", "Total number of MSI-X vectors for Virtual Functions.");
const MetricDesc kNumaNode =
    Gauge("numa_node", "NUMA node number for the PCI device. -1 indicates unknown or not available.");
const MetricDesc kPowerState{"node_pcidevice_power_state",
                             "PCIe device power state, one of: D0, D1, D2, D3hot, D3cold, unknown or error.",
                             MetricType::Gauge, std::vector<std::string>{"segment", "bus", "device", "function",
                                                                         "state"}};
const std::vector<std::string> kPowerStates = {"D0", "D1", "D2", "D3hot", "D3cold", "unknown", "error"};

MetricDesc InfoDesc(bool names) {
  std::vector<std::string> labels = kLocationLabels;
  for (const char* l : {"parent_segment", "parent_bus", "parent_device", "parent_function", "class_id", "vendor_id",
                        "device_id", "subsystem_vendor_id", "subsystem_device_id", "revision"}) {
    labels.emplace_back(l);
  }
  if (names) {
    for (const char* l : {"vendor_name", "device_name", "subsystem_vendor_name", "subsystem_device_name",
                          "class_name"}) {
      labels.emplace_back(l);
    }
  }
  return {"node_pcidevice_info", "Non-numeric data from /sys/bus/pci/devices/<location>, value is always 1.",
          MetricType::Gauge, labels};
}

constexpr StringOption kIdsFile{"pcidevice", "idsfile", "",
                                "Path to pci.ids file to use for PCI device identification."};
constexpr BoolOption kNames{"pcidevice", "names", false,
                            "Enable PCI device name resolution (requires pci.ids file)."};

// Where distributions install pci.ids, tried in node_exporter's order when
// --collector.pcidevice.idsfile is not given. Absolute: like node_exporter,
// not under --path.rootfs.
const std::vector<std::string> kDefaultIdsPaths = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"};

// The names table, read once when the collector is built. A missing or
// unreadable file leaves it empty (every name falls back to its ID), as in
// node_exporter, which only logs that at debug level.
PciIds LoadIds(const ProcFs& fs, const std::string& ids_file) {
  for (const std::string& path : ids_file.empty() ? kDefaultIdsPaths : std::vector<std::string>{ids_file}) {
    Result<RegularFile> file = fs.ReadRegularFile(path, ProcFs::kMaxFileBytes);
    if (file.ok()) {
      return ParsePciIds(file.value().data);
    }
  }
  return {};
}

class PcideviceCollector : public Collector {
 public:
  PcideviceCollector(const ProcFs& fs, std::optional<PciIds> ids)
      : fs_(fs), ids_(std::move(ids)), info_(InfoDesc(ids_.has_value())) {}

  Status Collect(MetricSink& sink) override {
    Result<DirHandle> dir = fs_.OpenDir(fs_.SysPath("bus/pci/devices"));
    if (!dir.ok()) {
      return dir.status();
    }
    Result<std::vector<std::string>> names = dir.value().List();
    if (!names.ok()) {
      return names.status();
    }
    // Every device is read before anything is exported: one that cannot be
    // read fails the scrape (a missing required file: no data), as upstream.
    std::vector<PciDevice> devices;
    for (const std::string& name : names.value()) {
      Status s = ReadDevice(dir.value(), name, sink, &devices);
      if (!s.ok()) {
        return s;
      }
    }
    for (const PciDevice& d : devices) {
      Add(d, sink);
    }
    return Status::OK();
  }

 private:
  static Status ReadDevice(const DirHandle& dir, const std::string& name, MetricSink& sink,
                           std::vector<PciDevice>* out) {
    Result<std::string> target = dir.ReadLink(name);
    if (!target.ok()) {
      return target.status();
    }
    Result<DirHandle> device = dir.OpenDir(name);
    if (!device.ok()) {
      return device.status();
    }
    std::map<std::string, std::string> files;
    for (const std::vector<std::string>* list : {&PciRequiredFiles(), &PciOptionalFiles()}) {
      for (const std::string& file : *list) {
        Result<std::string> v = device.value().ReadAttribute(file);
        if (v.ok()) {
          files.emplace(file, std::move(v).value());
        } else if (list == &PciRequiredFiles() || !v.status().no_data()) {
          return v.status();
        }
      }
    }
    std::uint64_t errors = 0;
    std::optional<PciDevice> d = ParsePciDevice(target.value(), files, &errors);
    sink.CountParseError(errors);
    if (d) {
      out->push_back(std::move(*d));
    }
    return Status::OK();
  }

  void Add(const PciDevice& d, MetricSink& sink) const {
    const std::vector<std::string> loc = d.location.Labels();
    std::vector<std::string> info = loc;
    std::vector<std::string> parent = d.parent ? d.parent->Labels() : std::vector<std::string>(4, "*");
    info.insert(info.end(), parent.begin(), parent.end());
    for (std::uint32_t id : {d.class_id}) {
      info.push_back(PciHex("0x%06x", id));
    }
    for (std::uint32_t id : {d.vendor, d.device, d.subsystem_vendor, d.subsystem_device}) {
      info.push_back(PciHex("0x%04x", id));
    }
    info.push_back(PciHex("0x%02x", d.revision));
    if (ids_) {
      std::vector<std::string> names = PciNameLabels(*ids_, d);
      info.insert(info.end(), names.begin(), names.end());
    }
    sink.Add(info_, 1, info);
    sink.Add(kMaxLinkTs, d.max_link_speed ? *d.max_link_speed * 1e9 : -1, loc);
    sink.Add(kMaxLinkWidth, d.max_link_width.value_or(-1), loc);
    sink.Add(kCurrentLinkTs, d.current_link_speed ? *d.current_link_speed * 1e9 : -1, loc);
    sink.Add(kCurrentLinkWidth, d.current_link_width.value_or(-1), loc);
    sink.Add(kD3coldAllowed, d.d3cold_allowed.value_or(false) ? 1 : 0, loc);
    sink.Add(kSriovAutoprobe, d.sriov_drivers_autoprobe.value_or(false) ? 1 : 0, loc);
    sink.Add(kSriovNumvfs, d.sriov_numvfs.value_or(0), loc);
    sink.Add(kSriovTotalvfs, d.sriov_totalvfs.value_or(0), loc);
    sink.Add(kSriovVfTotalMsix, static_cast<double>(d.sriov_vf_total_msix.value_or(0)), loc);
    if (d.power_state) {
      for (const std::string& state : kPowerStates) {
        std::vector<std::string> labels = loc;
        labels.push_back(state);
        sink.Add(kPowerState, state == *d.power_state ? 1 : 0, labels);
      }
    }
    // A node of -1 is the kernel's "no NUMA affinity": not exported, as upstream.
    if (d.numa_node && *d.numa_node != -1) {
      sink.Add(kNumaNode, *d.numa_node, loc);
    }
  }

  const ProcFs& fs_;
  const std::optional<PciIds> ids_;  // set with --collector.pcidevice.names
  const MetricDesc info_;
};

}  // namespace

CollectorSpec PcideviceCollectorSpec() {
  return {"pcidevice",
          false,
          "Exposes PCI devices from /sys/bus/pci/devices: node_pcidevice_info (topology, IDs, and names from "
          "pci.ids with names enabled), link speed and width, power state, SR-IOV and NUMA node.",
          {kIdsFile.Spec(), kNames.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            std::optional<PciIds> ids;
            if (ctx.options.Get(kNames)) {
              ids = LoadIds(ctx.fs, ctx.options.Get(kIdsFile));
            }
            return CollectorPtr(std::make_unique<PcideviceCollector>(ctx.fs, std::move(ids)));
          }};
}

}  // namespace hostwatch
