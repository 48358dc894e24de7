// libFuzzer target: the infiniband parsers (a port's state/phys_state, rate and counter files) on
// arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/infiniband.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  (void)hostwatch::ParseInfinibandState(text);
  (void)hostwatch::ParseInfinibandRate(text);
  (void)hostwatch::ParseInfinibandCounter("port_rcv_data", text, &parse_errors);
  return 0;
}
