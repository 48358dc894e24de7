// libFuzzer target: the wifi collector's nl80211 reply parsers (interfaces, BSS, stations)
// and its JSON fixture parsers on arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/wifi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  (void)hostwatch::ParseWifiInterfaces(bytes, &parse_errors);
  (void)hostwatch::ParseWifiBss(bytes, &parse_errors);
  (void)hostwatch::ParseWifiStations(bytes, &parse_errors);
  hostwatch::ConfigDiagnostics diag("fixture.json");
  (void)hostwatch::ParseWifiInterfacesJson(bytes, &diag);
  (void)hostwatch::ParseWifiBssJson(bytes, &diag);
  (void)hostwatch::ParseWifiStationsJson(bytes, &diag);
  return 0;
}
