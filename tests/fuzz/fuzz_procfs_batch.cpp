// libFuzzer target: the parsers of the issue 17 /proc collectors (processes, interrupts, softirqs, softnet,
// schedstat, udp_queues, arp, tcpstat and core's socket-table line parser) on arbitrary bytes must not crash,
// hang, leak or trip a sanitizer. One target for the batch: each is a line parser over the same kind of
// input, and the seeds of all of them reach each one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/core/proc_net_socket.h"
#include "collectors/host/arp.h"
#include "collectors/host/interrupts.h"
#include "collectors/host/processes.h"
#include "collectors/host/schedstat.h"
#include "collectors/host/softirqs.h"
#include "collectors/host/softnet.h"
#include "collectors/host/tcpstat.h"
#include "collectors/host/udp_queues.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t parse_errors = 0;
  hostwatch::ParsePidStat(text);
  hostwatch::ParseInterrupts(text, &parse_errors);
  hostwatch::ParseSoftirqs(text, &parse_errors);
  hostwatch::ParseSoftnet(text, &parse_errors);
  hostwatch::ParseSchedstat(text, &parse_errors);
  hostwatch::ParseUdpQueues(text, &parse_errors);
  hostwatch::ParseProcNetArp(text, &parse_errors);
  hostwatch::ParseProcNetSocketLine(text);
  // The netlink parsers take the same bytes as a dump.
  (void)hostwatch::ParseNeighbourDump(text, &parse_errors);
  hostwatch::TcpStats stats;
  (void)hostwatch::AddInetDiagDump(text, &stats, &parse_errors);
  hostwatch::AddProcNetTcp(text, &stats, &parse_errors);
  (void)parse_errors;
  return 0;
}
