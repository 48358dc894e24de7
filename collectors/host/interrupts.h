// interrupts collector (off by default, as in node_exporter): per-CPU counts
// of every line of /proc/interrupts as node_interrupts_total{cpu,devices,info,type}.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One interrupt line, such as "  9:  398553  2320  IR-IO-APIC-fasteoi  acpi".
struct Interrupt {
  std::string info;     // numbered lines: the chip and type column; named lines: the description
  std::string devices;  // numbered lines: the device names, joined by one space; else empty
  std::vector<double> per_cpu;
};

// Parses /proc/interrupts, keyed by the name before ':' ("9", "NMI", ...). The
// header's CPU columns give the number of counts a line must have; lines
// with fewer (ERR, MIS) are left out, as node_exporter does. A line whose
// counts are not numbers is skipped and counted in *parse_errors. The name is
// split off at the first ':' because aarch64 prints no space after it.
std::map<std::string, Interrupt> ParseInterrupts(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec InterruptsCollectorSpec();

}  // namespace hostwatch
