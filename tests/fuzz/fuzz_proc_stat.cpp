// libFuzzer target: ParseProcStat (/proc/stat, shared by the cpu and stat collectors and the agent's self metrics) on
// arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/core/proc_stat.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hostwatch::ParseProcStat(text);
  return 0;
}
