// xfrm collector: the IPsec (XFRM) error counters of /proc/net/xfrm_stat as
// node_xfrm_*_packets_total, as node_exporter exports them (off by default,
// as there). Without CONFIG_XFRM_STATISTICS the file does not exist: no data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// Parses xfrm_stat: one "<XfrmName> <decimal>" pair per line, name -> value.
// A line that is not exactly two fields with an integer second one is
// skipped and counted in *parse_errors.
std::map<std::string, double, std::less<>> ParseXfrmStat(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec XfrmCollectorSpec();

}  // namespace hostwatch
