// libFuzzer target: the parsers of the cpufreq, cpu_vulnerabilities and meminfo_numa collectors (sysfs
// devices/system/cpu and devices/system/node files) on arbitrary bytes must not crash, hang, leak or trip a
// sanitizer. One target for the three: each reads one small sysfs file, and the seeds of all reach each one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/host/cpu_vulnerabilities.h"
#include "collectors/host/cpufreq.h"
#include "collectors/host/meminfo_numa.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  (void)hostwatch::ParseCpufreqKhz(text);
  // The first line as the current governor, the rest as the available list.
  const std::size_t newline = text.find('\n');
  const std::string_view rest = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  (void)hostwatch::GovernorStates(text.substr(0, newline), rest);
  (void)hostwatch::ParseCpuVulnerability("fuzz", text);
  (void)hostwatch::ParseNodeMeminfo(text, &parse_errors);
  (void)hostwatch::ParseNumastat(text, "0", &parse_errors);
  return 0;
}
