// libFuzzer target: the xfs collector's stats parser on arbitrary bytes must not crash, hang, leak or
// trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/xfs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t parse_errors = 0;
  hostwatch::ParseXfsStats(std::string_view(reinterpret_cast<const char*>(data), size), &parse_errors);
  return 0;
}
