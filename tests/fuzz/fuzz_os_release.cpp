// libFuzzer target: ParseOsRelease (os-release) and the version/date helpers on arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/os.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  for (const auto& [key, value] : hostwatch::ParseOsRelease(text, &parse_errors)) {
    (void)key;
    (void)hostwatch::OsVersionNumber(value);
    (void)hostwatch::ParseSupportEnd(value);
  }
  (void)parse_errors;
  return 0;
}
