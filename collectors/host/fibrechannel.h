// fibrechannel collector: Fibre Channel HBA ports from /sys/class/fc_host/<host>/
// (the attributes and statistics/ counters) as node_fibrechannel_*{fc_host},
// as node_exporter's fibrechannel collector exports them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One fc_host. A missing attribute is "" (drivers may leave some out); a
// missing counter is 0; a counter the firmware does not implement reads as
// 0xffffffffffffffff and is not exported.
struct FibreChannelHost {
  std::string name;
  std::map<std::string, std::string> attributes;  // file name -> trimmed value ("0x" cut from the names and id)
  std::map<std::string, std::uint64_t> counters;  // statistics/ file name -> value
};

// The attribute files node_exporter reads from the host directory.
const std::vector<std::string>& FibreChannelAttributeFiles();

// Builds a host from its attribute files and its statistics/ files (file name
// -> content). Counters parse like Go's ParseUint(s, 0, 64); a counter that
// does not parse makes the host unusable: nullopt, counted in *parse_errors.
std::optional<FibreChannelHost> ParseFibreChannelHost(std::string name,
                                                      const std::map<std::string, std::string>& attributes,
                                                      const std::map<std::string, std::string>& statistics,
                                                      std::uint64_t* parse_errors);

CollectorSpec FibrechannelCollectorSpec();

}  // namespace hostwatch
