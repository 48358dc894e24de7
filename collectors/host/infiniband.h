// infiniband collector: InfiniBand/RDMA ports from /sys/class/infiniband/<device>/
// (the device's fw_ver, board_id, hca_type; each port's state, phys_state,
// rate and its counters/, counters_ext/ and hw_counters/ files) as
// node_infiniband_*{device,port}, as node_exporter exports them. Without an
// RDMA device there is no /sys/class/infiniband: no data, as in node_exporter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The id in a port's state or phys_state file ("4: ACTIVE", "5: LinkUp"):
// exactly one ':', a decimal id before it. nullopt otherwise.
std::optional<std::uint32_t> ParseInfinibandState(std::string_view text);

// A port's rate file ("100 Gb/sec (4X EDR)", "2.5 Gb/sec") in bytes per
// second: the number before the first space, read as a 32-bit float as
// node_exporter's procfs does, times 125000000. nullopt without a space or a number.
std::optional<std::uint64_t> ParseInfinibandRate(std::string_view text);

// One counter file of counters/, counters_ext/ or hw_counters/, as the value
// node_exporter exports: Go's ParseUint(s, 0, 64) of the trimmed text, times 4
// for the port_*_data files (the kernel counts 32-bit words). "N/A (no PMA)"
// (a port without a performance management agent) is nullopt without an
// error; anything else that does not parse is nullopt, counted in *parse_errors.
std::optional<std::uint64_t> ParseInfinibandCounter(std::string_view file, std::string_view text,
                                                    std::uint64_t* parse_errors);

CollectorSpec InfinibandCollectorSpec();

}  // namespace hostwatch
