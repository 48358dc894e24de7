// drbd collector: DRBD 8 device statistics from /proc/drbd as node_drbd_*,
// as node_exporter's drbd collector exports them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The key:value fields of one device ("drbd<N>", from its "<N>:" field;
// "unknown" for fields before the first one).
struct DrbdDevice {
  std::string name;
  std::map<std::string, double> numbers;  // ns, nr, dw, ... as in the file (KiB where DRBD counts KiB)
  std::map<std::string, std::pair<std::string, std::string>> pairs;  // ro, ds: local/remote
  std::optional<std::string> connection_state;                       // cs
};

// Parses /proc/drbd word by word as node_exporter does: words that are not
// key:value, and keys it does not know, are skipped. A known numeric key with
// a value that is not a number, or an ro/ds value without "/", is left out
// and counted in *parse_errors.
std::vector<DrbdDevice> ParseDrbd(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec DrbdCollectorSpec();

}  // namespace hostwatch
