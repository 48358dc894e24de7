// vmstat collector: node_vmstat_<field> (untyped, as in node_exporter) for the
// /proc/vmstat fields whose name matches --collector.vmstat.fields (RE2,
// unanchored like Go's MatchString; default ^(oom_kill|pgpg|pswp|pg.*fault).*).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

struct VmstatField {
  std::string name;
  double value = 0;
};

// Parses "name value" lines of /proc/vmstat in file order. Lines that are not
// exactly two fields with a numeric value are skipped and counted.
std::vector<VmstatField> ParseVmstat(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec VmstatCollectorSpec();

}  // namespace hostwatch
