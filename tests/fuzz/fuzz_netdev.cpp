// libFuzzer target: netdev's parsers on arbitrary bytes must not crash, hang, leak or trip a
// sanitizer: ParseNetDev (/proc/net/dev) and, for the same bytes read as rtnetlink dumps,
// ParseRtnlLinkDump (then node_exporter's legacy folding), ParseRtnlLinkNames and
// ParseRtnlAddresses (address-info), and GoAddressLabels on the first 4 and 16 bytes.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collectors/host/netdev.h"
#include "collectors/host/netdev_address.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseNetDev(text, &parse_errors);
  hostwatch::Result<std::vector<hostwatch::NetDevLine>> links = hostwatch::ParseRtnlLinkDump(text, &parse_errors);
  if (links.ok()) {
    for (hostwatch::NetDevLine& line : links.value()) {
      hostwatch::FoldLegacyNetDevStats(line.stats);
    }
  }
  hostwatch::Result<std::map<int, std::string>> names = hostwatch::ParseRtnlLinkNames(text, &parse_errors);
  hostwatch::ParseRtnlAddresses(text, names.ok() ? names.value() : std::map<int, std::string>{{0, "x"}}, &parse_errors);
  hostwatch::GoAddressLabels(text.substr(0, 4), size > 4 ? data[4] : 0);
  hostwatch::GoAddressLabels(text.substr(0, 16), size > 16 ? data[16] : 0);
  return 0;
}
