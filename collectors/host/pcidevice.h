// pcidevice collector (off by default): every PCI device of
// /sys/bus/pci/devices, its place in the topology (from the device link's
// target), IDs, PCIe link speed and width, power state, SR-IOV and NUMA node,
// as node_pcidevice_*, with node_exporter's names and labels. With
// --collector.pcidevice.names the info series also carries vendor, device,
// subsystem and class names from a pci.ids file (--collector.pcidevice.idsfile,
// else /usr/share/misc/pci.ids or /usr/share/hwdata/pci.ids).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// printf of one ID with format ("%04x"), for labels and pci.ids keys.
std::string PciHex(const char* format, std::uint32_t v);

// segment:bus:device.function, printed as node_exporter labels it.
struct PciLocation {
  std::uint32_t segment = 0, bus = 0, device = 0, function = 0;
  std::vector<std::string> Labels() const;  // {"0000", "01", "00", "0"}
};

struct PciDevice {
  PciLocation location;
  std::optional<PciLocation> parent;  // none when the parent is the root bridge (pci0000:00)
  std::uint32_t class_id = 0, vendor = 0, device = 0, subsystem_vendor = 0, subsystem_device = 0, revision = 0;
  std::optional<double> max_link_speed, current_link_speed;  // GT/s
  std::optional<double> max_link_width, current_link_width;
  std::optional<std::int32_t> numa_node;
  std::optional<bool> sriov_drivers_autoprobe, d3cold_allowed;
  std::optional<std::uint32_t> sriov_numvfs, sriov_totalvfs;
  std::optional<std::uint64_t> sriov_vf_total_msix;
  std::optional<std::string> power_state;  // D0, D3hot, ...
};

// The attribute files a device must have; the others are optional.
const std::vector<std::string>& PciRequiredFiles();
const std::vector<std::string>& PciOptionalFiles();

// "0000:01:00.0"; nullopt if not that shape of hex numbers.
std::optional<PciLocation> ParsePciLocation(std::string_view text);

// A device from the target of its /sys/bus/pci/devices link (whose last two
// components are the device and its parent) and its attribute files (name ->
// content, missing ones absent). nullopt, counted in *parse_errors, when the
// location, a required file or a present value does not parse the way
// node_exporter's procfs library accepts it.
std::optional<PciDevice> ParsePciDevice(std::string_view link_target, const std::map<std::string, std::string>& files,
                                        std::uint64_t* parse_errors);

// The names of a pci.ids file (https://pci-ids.ucw.cz/), read as node_exporter
// reads it. Keys are lowercase hex without 0x.
struct PciIds {
  std::unordered_map<std::string, std::string> vendors;     // "1022"
  std::unordered_map<std::string, std::string> devices;     // "1022:1634"
  std::unordered_map<std::string, std::string> subsystems;  // "1022:1634:17aa:5095"
  std::unordered_map<std::string, std::string> classes;     // "06"
  std::unordered_map<std::string, std::string> subclasses;  // "0604"
  std::unordered_map<std::string, std::string> prog_ifs;    // "010802"
};
PciIds ParsePciIds(std::string_view text);

// The name labels of the info series for a device, in node_exporter's order:
// vendor, device, subsystem vendor, subsystem device, class. An ID without a
// name reads as its hex digits (a class as "Unknown class (<hex>)").
std::vector<std::string> PciNameLabels(const PciIds& ids, const PciDevice& d);

CollectorSpec PcideviceCollectorSpec();

}  // namespace hostwatch
