// tapestats collector: SCSI tape drive statistics from
// /sys/class/scsi_tape/st<N>/stats/ as node_tape_*{device}, as node_exporter's
// tapestats collector exports them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "collectors/core/collector.h"

namespace hostwatch {

// The counters of one tape drive (the st driver's stats/ directory).
struct TapeCounters {
  std::uint64_t in_flight = 0, io_ns = 0, other_cnt = 0, read_byte_cnt = 0, read_cnt = 0, read_ns = 0;
  std::uint64_t resid_cnt = 0, write_byte_cnt = 0, write_cnt = 0, write_ns = 0;
};

// True for the names node_exporter reads: st<N>. The other nodes of the same
// drive (nst<N>, st<N>l, st<N>m, st<N>a) share its counters.
bool IsTapeDeviceName(std::string_view name);

// Builds the counters from the stats/ files (file name -> content); files it
// does not know are ignored, a missing one stays 0. A value that is not an
// unsigned number makes the drive unusable: nullopt, counted in *parse_errors.
std::optional<TapeCounters> ParseTapeStats(const std::map<std::string, std::string>& files,
                                           std::uint64_t* parse_errors);

CollectorSpec TapestatsCollectorSpec();

}  // namespace hostwatch
