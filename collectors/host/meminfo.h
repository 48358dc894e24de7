// meminfo collector: one gauge per /proc/meminfo field (man 5 proc), named
// like node_exporter: node_memory_<Field>_bytes for "kB" fields (value * 1024),
// node_memory_<Field> for unitless ones (HugePages_*), with "(anon)"/"(file)"
// spelled "_anon"/"_file" (node_memory_Active_anon_bytes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

struct MeminfoField {
  std::string name;  // metric-name part, e.g. "Active_anon_bytes" or "HugePages_Total"
  double value = 0;  // bytes for kB fields, the raw number otherwise
};

// Parses /proc/meminfo ("Key:   value [kB]" per line) in file order. A line
// without a colon, with a bad number or with an unknown unit is skipped and
// counted in *parse_errors.
std::vector<MeminfoField> ParseMeminfo(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec MeminfoCollectorSpec();

}  // namespace hostwatch
