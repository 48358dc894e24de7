// pressure collector: pressure stall information (PSI, kernel >= 4.20) from
// /proc/pressure/{cpu,io,memory,irq} as node_exporter exports it: the "total="
// microsecond counters in seconds. cpu exports only "some", irq only "full".
//
// No-data rules (node_exporter's): a missing resource file is skipped; when no
// file exists at all, or an io/memory file lacks its "full" line (or a
// cpu/io/memory file its "some" line), or PSI is disabled at boot (reads fail
// with EOPNOTSUPP), the collector reports NoData.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// The cumulative stall totals of one /proc/pressure/<resource> file, in
// microseconds, for the lines present.
struct PressureTotals {
  std::optional<std::uint64_t> some_us;
  std::optional<std::uint64_t> full_us;
};

// Parses "some|full avg10=.. avg60=.. avg300=.. total=N" lines. A line without
// a numeric total= field, or with an unknown kind, is skipped and counted.
PressureTotals ParsePressure(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec PressureCollectorSpec();

}  // namespace hostwatch
