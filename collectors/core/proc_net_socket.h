// The socket tables /proc/net/{tcp,tcp6,udp,udp6} (one line per socket,
// after a header line), parsed as far as collectors need them: the state
// and the two queue sizes. Used by udp_queues and by tcpstat's /proc path.
//
// Pure functions: no I/O, safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace hostwatch {

struct ProcNetSocket {
  std::uint32_t state = 0;  // "st": the kernel's TCP_* state number (UDP sockets use the same numbers)
  std::uint64_t tx_queue = 0;
  std::uint64_t rx_queue = 0;
};

// Parses one socket line such as
//   "0: 00000000:0016 00000000:0000 0A 00000015:00000000 00:00000000 00000000 0 0 2740 1 ..."
// nullopt when it has fewer than 10 fields, or the slot, the two addresses
// ("hex:hex"), the state or the "tx:rx" queues are not in that form.
std::optional<ProcNetSocket> ParseProcNetSocketLine(std::string_view line);

// Calls add() with each socket of a whole table (its first line is the
// column names; blank lines are ignored). A line that does not parse is
// skipped and counted in *parse_errors.
void ForEachProcNetSocket(std::string_view table, const std::function<void(const ProcNetSocket&)>& add,
                          std::uint64_t* parse_errors);

}  // namespace hostwatch
