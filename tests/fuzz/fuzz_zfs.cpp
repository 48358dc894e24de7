// libFuzzer target: the zfs collector's parsers (the kstat table, a pool's io and state files) on
// arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/zfs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseKstat(text, &parse_errors);
  hostwatch::ParseZfsPoolIo(text, &parse_errors);
  hostwatch::ParseZfsPoolState(text);
  hostwatch::ZfsMetricName(text);
  return 0;
}
