// libFuzzer target: the ipvs parsers (/proc/net/ip_vs_stats, /proc/net/ip_vs and the backend-labels
// option) on arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/ipvs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseIpvsStats(text, &parse_errors);
  hostwatch::ParseIpvsBackends(text, &parse_errors);
  (void)hostwatch::ParseIpvsBackendLabels(text);
  return 0;
}
