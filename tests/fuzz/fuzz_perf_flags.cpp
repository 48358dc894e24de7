// libFuzzer target: the perf collector's flag parsers (ParsePerfCpus, ParsePerfTracepoints, SelectPerfEvents)
// on arbitrary bytes must not crash, hang, leak or trip a sanitizer, and never yield a huge CPU list.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/host/perf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!text.empty()) {  // "" means every CPU of this machine, not a parse
    hostwatch::Result<std::vector<int>> cpus = hostwatch::ParsePerfCpus(text);
    if (cpus.ok() && cpus.value().size() > 65536) {
      std::abort();
    }
  }
  (void)hostwatch::ParsePerfTracepoints(text);
  hostwatch::PerfSelectionFlags flags;
  flags.hardware = flags.software = flags.cache = std::string(text);
  (void)hostwatch::SelectPerfEvents(flags);
  return 0;
}
