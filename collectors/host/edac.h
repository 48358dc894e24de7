// edac collector: memory error counters of the EDAC memory controllers
// (/sys/devices/system/edac/mc/mc<N>/, with their csrow<M>/ and per-channel
// files) as node_edac_*, as node_exporter's edac collector exports them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// The number in a directory name such as "mc0" (prefix "mc") or "csrow12"
// (prefix "csrow"): node_exporter's glob <prefix>[0-9]* and the digits that
// follow the prefix (possibly followed by other characters, as the glob
// allows). nullopt when the name does not start with prefix and a digit.
std::optional<std::string> EdacIndex(std::string_view name, std::string_view prefix);

// The channel number of a per-channel file name "ch<N>_ce_count", else nullopt.
std::optional<std::string> EdacChannelOfCeFile(std::string_view name);

// A channel's dimm_label as node_exporter exports it: trimmed, '#' removed,
// "csrow" and "channel" preceded by '_' ("mc#0csrow#1channel#0" ->
// "mc0_csrow1_channel0").
std::string EdacDimmLabel(std::string_view content);

CollectorSpec EdacCollectorSpec();

}  // namespace hostwatch
