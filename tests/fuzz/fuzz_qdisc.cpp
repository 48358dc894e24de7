// libFuzzer target: the qdisc collector's parsers (an RTM_GETQDISC dump, and upstream's
// results.json fixture) on arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/qdisc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  (void)hostwatch::ParseQdiscDump(bytes, &parse_errors);
  hostwatch::ConfigDiagnostics diag("results.json");
  (void)hostwatch::ParseQdiscFixture(bytes, &diag);
  return 0;
}
