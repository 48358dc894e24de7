// libFuzzer target: the network_route collector's RTM_GETROUTE dump parser and label
// formatting on arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/network_route.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::Result<std::vector<hostwatch::RtnlRoute>> routes = hostwatch::ParseRouteDump(bytes, &parse_errors);
  if (routes.ok()) {
    hostwatch::MetricSink sink;
    hostwatch::AddNetworkRouteSeries(routes.value(), {}, sink);
  }
  return 0;
}
