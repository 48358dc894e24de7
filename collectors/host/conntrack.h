// conntrack collector: node_nf_conntrack_entries and _entries_limit from
// /proc/sys/net/netfilter/nf_conntrack_{count,max}, and the per-CPU counters of
// /proc/net/stat/nf_conntrack summed over CPUs as node_nf_conntrack_stat_*
// (node_exporter's default output). Without the nf_conntrack module the files
// do not exist: no data, as in node_exporter.
#pragma once

#include <cstdint>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// Sums over all CPU rows of /proc/net/stat/nf_conntrack.
struct ConntrackStat {
  double found = 0;
  double invalid = 0;
  double ignore = 0;
  double insert = 0;
  double insert_failed = 0;
  double drop = 0;
  double early_drop = 0;
  double search_restart = 0;
};

// Parses /proc/net/stat/nf_conntrack: a header line, then one row of 17 hex
// numbers per CPU. Columns are taken by position, because kernels renamed some
// header words (searched -> clashres, delete_list -> chainlength) without
// moving the ones we export. A row that is not 17 hex numbers is skipped and
// counted in *parse_errors.
ConntrackStat ParseConntrackStat(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec ConntrackCollectorSpec();

}  // namespace hostwatch
