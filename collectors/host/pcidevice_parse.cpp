// The pure parsers of the pcidevice collector: device attributes and pci.ids.
#include <climits>
#include <cstdio>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"
#include "collectors/host/pcidevice.h"

namespace hostwatch {
namespace {

// One hex part of a PCI address ("0000:00:1f.3"), within int32 as procfs parses it.
std::optional<std::uint32_t> ParseHexField(std::string_view s) {
  std::optional<std::uint64_t> v = ParseHexUint(s);
  if (!v || *v > INT32_MAX) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*v);
}

// Go's strconv.ParseInt(s, base, 32): within int32. Base 0 takes a 0x prefix.
std::optional<std::int64_t> ParseInt32(std::string_view s, bool any_base) {
  std::optional<std::int64_t> v = any_base ? ParseGoInt(s) : ParseInt(s);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) {
    return std::nullopt;
  }
  return v;
}

// "8.0 GT/s PCIe" -> 8; the only unit the kernel prints for PCIe links.
std::optional<double> ParseLinkSpeed(std::string_view s) {
  const std::size_t space = s.find(' ');
  if (space == std::string_view::npos || s.substr(space + 1) != "GT/s PCIe") {
    return std::nullopt;
  }
  return ParseDouble(TrimSpace(s.substr(0, space)));
}

// The files of node_exporter's "link" group: empty or "Unknown..." means not known.
bool ParseLinkFile(const std::string& file, std::string_view v, PciDevice* d) {
  if (v.empty() || v.starts_with("Unknown")) {
    return true;
  }
  if (file == "max_link_speed" || file == "current_link_speed") {
    std::optional<double> speed = ParseLinkSpeed(v);
    (file == "max_link_speed" ? d->max_link_speed : d->current_link_speed) = speed;
    return speed.has_value();
  }
  if (file == "numa_node") {
    std::optional<std::int64_t> node = ParseInt32(v, false);
    if (node) {
      d->numa_node = static_cast<std::int32_t>(*node);
    }
    return node.has_value();
  }
  std::optional<std::int64_t> width = ParseInt(v);
  if (width) {
    (file == "max_link_width" ? d->max_link_width : d->current_link_width) = static_cast<double>(*width);
  }
  return width.has_value();
}

// SR-IOV and power files: empty means not known.
bool ParseSriovOrPowerFile(const std::string& file, std::string_view v, PciDevice* d) {
  if (v.empty()) {
    return true;
  }
  if (file == "power_state") {
    d->power_state = std::string(v);
    return true;
  }
  if (file == "sriov_drivers_autoprobe" || file == "d3cold_allowed") {
    std::optional<std::int64_t> flag = ParseInt32(v, false);
    if (flag) {
      (file == "d3cold_allowed" ? d->d3cold_allowed : d->sriov_drivers_autoprobe) = *flag != 0;
    }
    return flag.has_value();
  }
  std::optional<std::uint64_t> n = ParseUint(v);
  if (file == "sriov_vf_total_msix") {
    d->sriov_vf_total_msix = n;
    return n.has_value();
  }
  if (!n || *n > UINT32_MAX) {
    return false;
  }
  (file == "sriov_numvfs" ? d->sriov_numvfs : d->sriov_totalvfs) = static_cast<std::uint32_t>(*n);
  return true;
}

bool ParseOptionalFile(const std::string& file, std::string_view v, PciDevice* d) {
  if (file.ends_with("_link_speed") || file.ends_with("_link_width") || file == "numa_node") {
    return ParseLinkFile(file, v, d);
  }
  return ParseSriovOrPowerFile(file, v, d);
}

// The last path component of a link target, and the one before it.
std::pair<std::string_view, std::string_view> LastTwo(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  const std::size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string_view dir = slash == std::string_view::npos ? std::string_view(".") : path.substr(0, slash);
  const std::size_t dir_slash = dir.rfind('/');
  return {base, dir_slash == std::string_view::npos ? dir : dir.substr(dir_slash + 1)};
}

}  // namespace

std::string PciHex(const char* format, std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::vector<std::string> PciLocation::Labels() const {
  return {PciHex("%04x", segment), PciHex("%02x", bus), PciHex("%02x", device), PciHex("%x", function)};
}

const std::vector<std::string>& PciRequiredFiles() {
  static const std::vector<std::string> kFiles = {"class",           "vendor",           "device",
                                                  "subsystem_vendor", "subsystem_device", "revision"};
  return kFiles;
}

const std::vector<std::string>& PciOptionalFiles() {
  static const std::vector<std::string> kFiles = {
      "max_link_speed", "max_link_width", "current_link_speed",     "current_link_width", "numa_node",
      "sriov_drivers_autoprobe",        "sriov_numvfs",   "sriov_totalvfs",         "sriov_vf_total_msix",
      "d3cold_allowed",                 "power_state"};
  return kFiles;
}

std::optional<PciLocation> ParsePciLocation(std::string_view text) {
  const std::size_t c1 = text.find(':');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : text.find(':', c1 + 1);
  const std::size_t dot = c2 == std::string_view::npos ? c2 : text.find('.', c2 + 1);
  if (dot == std::string_view::npos || text.find_first_of(":.", dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<std::uint32_t> seg = ParseHexField(text.substr(0, c1));
  std::optional<std::uint32_t> bus = ParseHexField(text.substr(c1 + 1, c2 - c1 - 1));
  std::optional<std::uint32_t> dev = ParseHexField(text.substr(c2 + 1, dot - c2 - 1));
  std::optional<std::uint32_t> fn = ParseHexField(text.substr(dot + 1));
  if (!seg || !bus || !dev || !fn) {
    return std::nullopt;
  }
  return PciLocation{*seg, *bus, *dev, *fn};
}

std::optional<PciDevice> ParsePciDevice(std::string_view link_target, const std::map<std::string, std::string>& files,
                                        std::uint64_t* parse_errors) {
  const auto [base, parent] = LastTwo(link_target);
  std::optional<PciLocation> location = ParsePciLocation(base);
  PciDevice d;
  bool ok = location.has_value();
  if (ok) {
    d.location = *location;
  }
  if (ok && !parent.starts_with("pci")) {  // pci0000:00 is the root complex, not a device
    d.parent = ParsePciLocation(parent);
    ok = d.parent.has_value();
  }
  std::uint32_t* required[] = {&d.class_id, &d.vendor, &d.device, &d.subsystem_vendor, &d.subsystem_device,
                               &d.revision};
  for (std::size_t i = 0; ok && i < PciRequiredFiles().size(); ++i) {
    auto it = files.find(PciRequiredFiles()[i]);
    std::optional<std::int64_t> v = it == files.end() ? std::nullopt : ParseInt32(TrimSpace(it->second), true);
    ok = v.has_value();
    *required[i] = ok ? static_cast<std::uint32_t>(*v) : 0;
  }
  for (const std::string& file : PciOptionalFiles()) {
    auto it = files.find(file);
    if (ok && it != files.end()) {
      ok = ParseOptionalFile(file, TrimSpace(it->second), &d);
    }
  }
  if (!ok) {
    ++*parse_errors;
    return std::nullopt;
  }
  return d;
}

}  // namespace hostwatch
