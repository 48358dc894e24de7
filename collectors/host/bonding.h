// bonding collector: the configured and active slaves of each Linux bonding
// master (node_bonding_slaves{master}, node_bonding_active{master}) from
// /sys/class/net/bonding_masters, <master>/bonding/slaves and each slave's
// bonding_slave/mii_status, as node_exporter's bonding collector exports them
// (the node-mixin's NodeBondingDegraded alert compares the two). Without
// bonding_masters (bonding module not loaded) there is no data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The interface names of bonding_masters or <master>/bonding/slaves: the
// kernel writes them separated by spaces, ended by a newline; any whitespace
// separates them here, as node_exporter splits them with strings.Fields.
std::vector<std::string> ParseBondingNames(std::string_view text);

// Whether a slave's bonding_slave/mii_status says its link is "up" (the
// kernel writes "up", "going down", "down" or "going back").
bool ParseBondingSlaveUp(std::string_view mii_status);

CollectorSpec BondingCollectorSpec();

}  // namespace hostwatch
