// libFuzzer target: the attribute parsers of the dmi, watchdog, edac, powersupplyclass and rapl
// collectors on arbitrary bytes must not crash, hang, leak or trip a sanitizer. Each input line
// "<file>=<value>" becomes one attribute file; the whole input is also fed to the one-string parsers.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collectors/core/parse_util.h"
#include "collectors/host/dmi.h"
#include "collectors/host/edac.h"
#include "collectors/host/powersupplyclass.h"
#include "collectors/host/rapl.h"
#include "collectors/host/watchdog.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> attrs;
  std::map<std::string, int> rapl_counts;
  for (std::string_view line : hostwatch::SplitLines(text)) {
    const std::size_t eq = line.find('=');
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
    attrs.insert_or_assign(std::string(line.substr(0, eq)), std::string(value));
    hostwatch::RaplZoneNameAndIndex(line, &rapl_counts);
    hostwatch::EdacIndex(line, "mc");
    hostwatch::EdacChannelOfCeFile(line);
  }
  std::uint64_t parse_errors = 0;
  hostwatch::DmiInfoLabels({attrs.begin(), attrs.end()});
  hostwatch::ParseWatchdogAttributes("watchdog0", attrs, &parse_errors);
  hostwatch::ParsePowerSupplyAttributes("BAT0", attrs, &parse_errors);
  hostwatch::EdacDimmLabel(text);
  return 0;
}
