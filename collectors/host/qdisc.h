// qdisc collector (off by default, as in node_exporter 1.12.1): the root
// queueing discipline of each network device, from one rtnetlink
// RTM_GETQDISC dump, as node_qdisc_{bytes,packets,drops,requeues,
// overlimits}_total, node_qdisc_current_queue_length and node_qdisc_backlog
// {device, kind}. With --collector.qdisc.fixtures=<dir> it reads
// <dir>/results.json instead (upstream's end-to-end fixture: a JSON list of
// the ema/qdisc library's QdiscInfo records), as node_exporter does for tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"
#include "collectors/core/config_diagnostics.h"

namespace hostwatch {

// One qdisc, with the fields of the ema/qdisc library's QdiscInfo that
// node_exporter reads.
struct QdiscInfo {
  std::uint32_t ifindex = 0;  // tcm_ifindex (netlink only)
  std::string iface_name;     // the device's name, "" when unknown
  std::uint32_t parent = 0;   // tcm_parent; TC_H_ROOT is kept as 0, as the library does
  std::uint32_t handle = 0;
  std::string kind;  // TCA_KIND
  std::uint64_t bytes = 0;
  std::uint32_t packets = 0, drops = 0, requeues = 0, overlimits = 0, qlen = 0, backlog = 0;
};

// Parses an RTM_GETQDISC dump (NetlinkDump bytes), names unset. Statistics
// come from TCA_STATS2 (basic and queue) and the legacy TCA_STATS, applied in
// the order the kernel sends them, as the library does (requeues exist only
// in TCA_STATS2). An NLMSG_ERROR in the dump or a message running past the
// data is an Error; a message too short for its tcmsg, with truncated
// attributes or a statistics block shorter than its struct is skipped and
// counted in *parse_errors (the library fails the whole scrape there).
Result<std::vector<QdiscInfo>> ParseQdiscDump(std::string_view bytes, std::uint64_t* parse_errors);

// Parses upstream's results.json: a JSON list of objects whose keys are
// QdiscInfo's Go field names (IfaceName, Parent, Handle, Kind, Bytes, Packets,
// Drops, Requeues, Overlimits, Qlen, Backlog; any case, others ignored).
// Problems go to *diag as file:line:column: key: reason.
std::vector<QdiscInfo> ParseQdiscFixture(std::string_view json, ConfigDiagnostics* diag);

CollectorSpec QdiscCollectorSpec();

}  // namespace hostwatch
