// runit collector: node_service_{state,desired_state,normal_state,
// state_last_change_timestamp_seconds}{service,supervisor="runit"} for every
// service under --collector.runit.servicedir (default /etc/service), as
// node_exporter 1.12.1 (deprecated upstream, still there) reads them through
// go-runit: each entry's supervise/status, the 20-byte record runsv writes, and
// whether supervise/down exists (go-runit looks there, not beside the run script).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// runsv's status record (runit's sv.c / runsv.c): a TAI64 label of the last state
// change (bytes 0-7, big-endian), nanoseconds (8-11), the pid (12-15, little-endian),
// the paused flag (16), the wanted state 'u' or 'd' (17), the term flag (18) and the
// state (19: 0 down, 1 run, 2 finish).
struct RunitStatus {
  std::int64_t change_unix_seconds = 0;  // the TAI64 label minus 2^62 + 10, as go-runit
  std::int64_t pid = 0;
  int state = 0;
  int want = 0;  // 1 for 'u', 0 for 'd' or anything else (go-runit)
};

inline constexpr std::size_t kRunitStatusBytes = 20;

// Parses the start of a status file. go-runit reads up to 20 bytes in one read and
// takes what is missing as zero bytes, so only an empty file fails (nullopt, one parse
// error counted); a short file counts a parse error too but is read like upstream.
std::optional<RunitStatus> ParseRunitStatus(std::string_view bytes, std::uint64_t* parse_errors);

CollectorSpec RunitCollectorSpec();

}  // namespace hostwatch
