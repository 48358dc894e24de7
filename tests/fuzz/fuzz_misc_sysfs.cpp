// libFuzzer target: the parsers of the dmmultipath, cgroups, pcidevice and bcachefs collectors on
// arbitrary bytes must not crash, hang, leak or trip a sanitizer. The whole input goes to every
// one-string parser (/proc/cgroups, pci.ids, each bcachefs file format) and each line to the
// single-value ones; lines "<file>=<value>" become the attribute files of one multipath device and
// one PCI device, whose link target is the first line.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collectors/core/parse_util.h"
#include "collectors/host/bcachefs.h"
#include "collectors/host/cgroups.h"
#include "collectors/host/dmmultipath.h"
#include "collectors/host/pcidevice.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> attrs;
  hostwatch::DmMultipathFiles dm;
  std::string_view link;
  for (std::string_view line : hostwatch::SplitLines(text)) {
    link = link.empty() ? line : link;
    const std::size_t eq = line.find('=');
    const std::string key(line.substr(0, eq));
    const std::string value(eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1));
    attrs.insert_or_assign(key, value);
    dm.path_states.emplace_back(key, value);
    hostwatch::ParseBcachefsBytes(line);
    hostwatch::ParsePciLocation(line);
    hostwatch::IsDmMultipathPathActive(line);
  }
  dm.uuid = attrs["uuid"];
  dm.name = attrs["name"];
  dm.suspended = attrs["suspended"];
  dm.size = attrs["size"];
  std::uint64_t parse_errors = 0;
  hostwatch::ParseDmMultipathDevice("dm-0", dm, &parse_errors);
  hostwatch::ParseCgroupSummaries(text, &parse_errors);
  if (std::optional<hostwatch::PciDevice> d = hostwatch::ParsePciDevice(link, attrs, &parse_errors)) {
    hostwatch::PciNameLabels(hostwatch::ParsePciIds(text), *d);
  }
  hostwatch::ParsePciIds(text);
  hostwatch::ParseBcachefsCompression(text);
  hostwatch::ParseBcachefsErrors(text);
  hostwatch::ParseBcachefsCounter(text);
  hostwatch::ParseBcachefsBtreeWrites(text);
  hostwatch::ParseBcachefsIoDone(text);
  hostwatch::ParseBcachefsIoErrors(text);
  return 0;
}
