// libFuzzer target: the parsers of the tapestats, fibrechannel, drbd and bcache collectors on
// arbitrary bytes must not crash, hang, leak or trip a sanitizer. Each input line "<file>=<value>"
// becomes one attribute file (tape stats, fc_host attributes and statistics); the whole input is also
// fed to the one-string parsers (/proc/drbd, writeback_rate_debug, priority_stats) and every line to
// bch_hprint's value parser.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collectors/core/parse_util.h"
#include "collectors/host/bcache.h"
#include "collectors/host/drbd.h"
#include "collectors/host/fibrechannel.h"
#include "collectors/host/tapestats.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> attrs;
  for (std::string_view line : hostwatch::SplitLines(text)) {
    const std::size_t eq = line.find('=');
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
    attrs.insert_or_assign(std::string(line.substr(0, eq)), std::string(value));
    hostwatch::BcacheDehumanize(line);
    hostwatch::BcacheDehumanizeSigned(line);
    hostwatch::IsTapeDeviceName(line);
  }
  std::uint64_t parse_errors = 0;
  hostwatch::ParseTapeStats(attrs, &parse_errors);
  hostwatch::ParseFibreChannelHost("host0", attrs, attrs, &parse_errors);
  hostwatch::ParseDrbd(text, &parse_errors);
  hostwatch::ParseBcacheWritebackRateDebug(text, &parse_errors);
  hostwatch::ParseBcachePriorityStats(text, &parse_errors);
  return 0;
}
