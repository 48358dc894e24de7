// libFuzzer target: the parsers of the swap, drm and nvmesubsystem collectors on arbitrary bytes
// must not crash, hang, leak or trip a sanitizer. The whole input goes to ParseSwaps and, as a
// uevent, to ParseAmdgpuCard; lines "<file>=<value>" become the card's device/ files; each line
// goes to the name matchers and the controller state mapping.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collectors/core/parse_util.h"
#include "collectors/host/drm.h"
#include "collectors/host/nvmesubsystem.h"
#include "collectors/host/swap.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseSwaps(text, &parse_errors);
  std::map<std::string, std::string> files;
  for (std::string_view line : hostwatch::SplitLines(text)) {
    const std::size_t eq = line.find('=');
    files.insert_or_assign(std::string(line.substr(0, eq)),
                           std::string(eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1)));
    hostwatch::IsDrmCardName(line);
    hostwatch::IsNvmeControllerName(line);
    hostwatch::IsNvmeNamespaceName(line);
    hostwatch::NvmeControllerState(line);
  }
  hostwatch::ParseAmdgpuCard(text, files, &parse_errors);
  return 0;
}
