// drm collector (off by default): amdgpu cards of /sys/class/drm/card<N>/device
// as node_drm_card_info{card,memory_vendor,power_performance_level,unique_id,vendor}
// and node_drm_{gpu_busy_percent,memory_*_bytes}{card}, as node_exporter 1.12.1
// exports them (it reads only amdgpu cards, and only card0 to card9).
// No /sys/class/drm: no data; cards but none driven by amdgpu: success
// without series.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// The numbers of one amdgpu card, in the order of DrmValueFiles(). A file
// that is missing or unreadable reads 0, as in node_exporter; one that is
// not a number is nullopt (its series is left out and counted).
struct AmdgpuCard {
  std::string memory_vendor;  // mem_info_vram_vendor
  std::string power_level;    // power_dpm_force_performance_level
  std::string unique_id;      // unique_id
  std::array<std::optional<std::uint64_t>, 7> values{};
};

// The device/ files AmdgpuCard's values come from, in order.
const std::array<std::string_view, 7>& DrmValueFiles();

// True for the names node_exporter's glob card[0-9] matches: "card" and one
// digit (connectors such as card0-DP-1 and card10 and up are not read).
bool IsDrmCardName(std::string_view name);

// True when a card's device/uevent names the amdgpu driver.
bool IsAmdgpuUevent(std::string_view uevent);

// The card described by its device/uevent and device/ files (name -> content;
// absent names are files that could not be read), or nullopt when uevent
// does not name the amdgpu driver. Unparsable numbers count in *parse_errors.
std::optional<AmdgpuCard> ParseAmdgpuCard(std::string_view uevent, const std::map<std::string, std::string>& files,
                                          std::uint64_t* parse_errors);

CollectorSpec DrmCollectorSpec();

}  // namespace hostwatch
