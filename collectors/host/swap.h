// swap collector (off by default): one series per active swap area of
// /proc/swaps as node_swap_{size_bytes,used_bytes,priority}{device,swap_type},
// as node_exporter 1.12.1 exports them. No swap configured: success without
// series; a kernel without CONFIG_SWAP (no /proc/swaps): no data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One line of /proc/swaps. Size and used are in KiB, as the kernel prints them.
struct SwapArea {
  std::string device;  // "Filename" column: a block device or a swap file
  std::string type;    // "partition" or "file"
  std::int64_t size_kib = 0;
  std::int64_t used_kib = 0;
  std::int64_t priority = 0;
};

// Parses /proc/swaps: a header line, then "Filename Type Size Used Priority".
// A line with fewer than five fields or a non-integer number is skipped and
// counted in *parse_errors (node_exporter fails the whole scrape on it).
std::vector<SwapArea> ParseSwaps(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec SwapCollectorSpec();

}  // namespace hostwatch
