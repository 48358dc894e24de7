// mdadm collector: Linux software RAID from /proc/mdstat (node_md_state,
// node_md_disks, node_md_disks_required, node_md_blocks, node_md_blocks_synced)
// and /sys/block/md*/md (node_md_raid_disks, node_md_degraded), with
// node_exporter's names, labels and state mapping. Without /proc/mdstat (md
// module not loaded) there is no data, as in node_exporter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// One md device of /proc/mdstat.
struct MdStat {
  std::string name;   // "md0"
  std::string state;  // active, inactive, recovering, resyncing, checking, reshaping, ...
  double disks_active = 0;
  double disks_total = 0;   // disks the array requires ([n/m]: n)
  double disks_failed = 0;  // members marked (F)
  double disks_spare = 0;   // members marked (S)
  double blocks_total = 0;
  double blocks_synced = 0;  // blocks_total unless a sync is running or pending
};

// Parses /proc/mdstat (https://raid.wiki.kernel.org/index.php/Mdstat) the way
// node_exporter's procfs library does. A device whose lines cannot be parsed
// is skipped and counted in *parse_errors; the others are still returned.
std::vector<MdStat> ParseMdstat(std::string_view text, std::uint64_t* parse_errors);

CollectorSpec MdadmCollectorSpec();

}  // namespace hostwatch
