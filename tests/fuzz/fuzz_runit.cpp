// libFuzzer target: ParseRunitStatus (runsv's supervise/status record) on arbitrary bytes must
// not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/runit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseRunitStatus(bytes, &parse_errors);
  return 0;
}
