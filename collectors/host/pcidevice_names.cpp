// pci.ids parsing and the name labels of the pcidevice collector, with
// node_exporter's rules (including which ID stands in for a missing name).
#include <cstdio>

#include "collectors/core/parse_util.h"
#include "collectors/core/strings.h"
#include "collectors/host/pcidevice.h"

namespace hostwatch {
namespace {

// A "<id>  <name>" line (two spaces between): both trimmed; nullopt without the separator.
std::optional<std::pair<std::string, std::string>> IdAndName(std::string_view line) {
  const std::size_t sep = line.find("  ");
  if (sep == std::string_view::npos) {
    return std::nullopt;
  }
  return std::pair{std::string(TrimSpace(line.substr(0, sep))), std::string(TrimSpace(line.substr(sep + 2)))};
}

// The parser state between lines: the file is a tree written as indentation.
struct IdsCursor {
  std::string vendor, device, base_class, subclass;
  bool in_classes = false;
};

void AddClassLine(std::string_view line, int tabs, IdsCursor* at, PciIds* ids) {
  std::optional<std::pair<std::string, std::string>> e = IdAndName(line.substr(tabs));
  if (!e) {
    return;
  }
  if (tabs == 0) {  // "C 01  Mass storage controller"
    at->base_class = std::string(TrimSpace(std::string_view(e->first).substr(1)));
    ids->classes[at->base_class] = e->second;
    at->in_classes = true;
  } else if (tabs == 1 && !at->base_class.empty()) {
    at->subclass = at->base_class + e->first;
    ids->subclasses[at->subclass] = e->second;
  } else if (tabs == 2 && !at->subclass.empty()) {
    ids->prog_ifs[at->subclass + e->first] = e->second;
  }
}

void AddVendorLine(std::string_view line, int tabs, IdsCursor* at, PciIds* ids) {
  std::optional<std::pair<std::string, std::string>> e = IdAndName(line.substr(tabs));
  if (!e) {
    return;
  }
  if (tabs == 0) {
    at->vendor = e->first;
    ids->vendors[at->vendor] = e->second;
    at->device.clear();
    at->in_classes = false;
  } else if (tabs == 1 && !at->vendor.empty()) {
    at->device = e->first;
    ids->devices[at->vendor + ":" + at->device] = e->second;
  } else if (!at->vendor.empty() && !at->device.empty()) {  // "\t\t<subvendor> <subdevice>  <name>"
    std::vector<std::string_view> sub = SplitFields(e->first);
    if (sub.size() == 2) {
      ids->subsystems[at->vendor + ":" + at->device + ":" + std::string(sub[0]) + ":" + std::string(sub[1])] =
          e->second;
    }
  }
}

std::string Lookup(const std::unordered_map<std::string, std::string>& names, const std::string& key,
                   std::string fallback) {
  auto it = names.find(key);
  return it == names.end() ? fallback : it->second;
}

std::string ClassName(const PciIds& ids, std::uint32_t class_id) {
  const std::string hex = PciHex("%06x", class_id);
  for (const auto& [names, len] : {std::pair{&ids.prog_ifs, 6}, std::pair{&ids.subclasses, 4},
                                   std::pair{&ids.classes, 2}}) {
    auto it = names->find(hex.substr(0, len));
    if (it != names->end()) {
      return it->second;
    }
  }
  return "Unknown class (" + hex + ")";
}

}  // namespace

PciIds ParsePciIds(std::string_view text) {
  PciIds ids;
  IdsCursor at;
  for (std::string_view line : SplitLines(text)) {
    if (line.empty() || line.starts_with('#')) {
      continue;
    }
    const int tabs = line.starts_with("\t\t") ? 2 : line.starts_with('\t') ? 1 : 0;
    // A third tab is no class level: such a line falls through to the vendor tree, as upstream reads it.
    const bool class_line =
        line.starts_with("C ") || (at.in_classes && tabs > 0 && !line.starts_with("\t\t\t"));
    if (class_line) {
      AddClassLine(line, tabs, &at, &ids);
    } else {
      AddVendorLine(line, tabs, &at, &ids);
    }
  }
  return ids;
}

std::vector<std::string> PciNameLabels(const PciIds& ids, const PciDevice& d) {
  const std::string vendor = PciHex("%04x", d.vendor);
  const std::string device = PciHex("%04x", d.device);
  const std::string sub_vendor = PciHex("%04x", d.subsystem_vendor);
  const std::string sub_device = PciHex("%04x", d.subsystem_device);
  return {Lookup(ids.vendors, vendor, vendor), Lookup(ids.devices, vendor + ":" + device, device),
          Lookup(ids.vendors, sub_vendor, sub_vendor),
          Lookup(ids.subsystems, vendor + ":" + device + ":" + sub_vendor + ":" + sub_device, sub_device),
          ClassName(ids, d.class_id)};
}

}  // namespace hostwatch
