// libFuzzer target: the ethtool collector's pure parts on arbitrary bytes must not crash, hang, leak or trip
// a sanitizer: ParseEthtoolStats on the input split into a GSTRINGS and a GSTATS answer (the first byte
// picks where), and the stat name rules on the whole input as one driver statistic name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/ethtool.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t split = size == 0 ? 0 : (static_cast<std::size_t>(data[0]) * size) / 256;
  std::uint64_t parse_errors = 0;
  hostwatch::ParseEthtoolStats(text.substr(0, split), text.substr(split), &parse_errors);
  (void)hostwatch::EthtoolMetricName(text);
  (void)parse_errors;
  return 0;
}
