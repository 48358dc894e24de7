// libFuzzer target: the btrfs collector's parsers (commit_stats, value files, layout names) on
// arbitrary bytes must not crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/core/parse_util.h"
#include "collectors/host/btrfs.h"
#include "collectors/host/btrfs_ioctl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParseBtrfsCommitStats(text, &parse_errors);
  hostwatch::ParseBtrfsValue(std::string(text), &parse_errors);
  for (std::string_view line : hostwatch::SplitLines(text)) {
    hostwatch::BtrfsLayoutRatio(line, line.size());
  }
  if (size >= 16) {
    hostwatch::BtrfsUuidString(data);
  }
  return 0;
}
