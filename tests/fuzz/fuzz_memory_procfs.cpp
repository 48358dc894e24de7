// libFuzzer target: the parsers of the memory and kernel /proc collectors of issue 18 (buddyinfo,
// zoneinfo, slabinfo, and the sysctl collector's option syntax and name mapping) on arbitrary bytes
// must not crash, hang, leak or trip a sanitizer. One target for the batch: each is a line parser
// over the same kind of input, and the seeds of all of them reach each one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/buddyinfo.h"
#include "collectors/host/slabinfo.h"
#include "collectors/host/sysctl.h"
#include "collectors/host/zoneinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseBuddyinfo(text, &parse_errors);
  hostwatch::ParseZoneinfo(text, &parse_errors);
  hostwatch::ParseSlabinfo(text, &parse_errors);
  (void)hostwatch::ParseSysctlEntries(text, true);
  hostwatch::SysctlMetricName(text);
  hostwatch::SysctlProcPath(text);
  (void)parse_errors;
  return 0;
}
