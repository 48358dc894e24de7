// What one icmp run found out beyond the fields every prober fills
// (ProbeResult): blackbox's setup and rtt phases and reply hop limit, and
// hostwatch's per-run packet counts and round trips. A plain value.
#pragma once

#include <vector>

namespace hostwatch {

struct IcmpFacts {
  double setup_seconds = 0;  // blackbox's phase "setup": opening the socket, building the echo
  double rtt_seconds = 0;    // blackbox's phase "rtt": the first answered echo's round trip; 0 without one
  int reply_hop_limit = -1;  // TTL / hop limit of the last matching reply; -1 when unknown or none came
  int packets = 1;           // echo requests the module asks for per run
  int sent = 0;              // echo requests the kernel accepted
  int received = 0;          // echoes answered (each counted once)
  std::vector<double> rtts;  // the round trip of each answered echo, in seconds, in the order they came
};

}  // namespace hostwatch
