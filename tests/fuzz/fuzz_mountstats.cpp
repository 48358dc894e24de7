// libFuzzer target: ParseMountStats (/proc/self/mountstats) and MountOptionValue (the mountinfo superblock options
// it takes the server address from) on arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/mountstats.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseMountStats(text, &parse_errors);
  (void)hostwatch::MountOptionValue(text, "addr");
  (void)parse_errors;
  return 0;
}
