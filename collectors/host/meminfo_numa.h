// meminfo_numa collector: per NUMA node memory statistics from sysfs
// devices/system/node/nodeN/{meminfo,numastat}, as node_exporter 1.12.1 exports
// them: node_memory_numa_<Field>{node} gauges from meminfo ("kB" values in
// bytes, but without a _bytes suffix, "Active(anon)" spelled "Active_anon") and
// node_memory_numa_<counter>_total{node} counters from numastat. HELP is
// "Memory information field <name>.". Without devices/system/node or any nodeN
// in it (kernels without CONFIG_NUMA): NoData.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

struct NumaMemoryField {
  std::string node;      // the "node" label value
  std::string name;      // metric-name part: "MemFree", "Active_anon", "numa_hit_total"
  double value = 0;      // bytes for "kB" meminfo lines, else the number as written
  bool counter = false;  // numastat fields are counters, meminfo fields gauges
};

// Parses a node's meminfo ("Node 0 Active(anon):  691456 kB" per line): the node
// label is the line's second word, the name its third without trailing colons.
// A line with fewer than 4 words, a bad number, a fifth word other than "kB",
// more words, or a name that cannot be part of a metric name is skipped and
// counted in *parse_errors (upstream fails the scrape, or crashes on the first).
std::vector<NumaMemoryField> ParseNodeMeminfo(std::string_view text, std::uint64_t* parse_errors);

// Parses a node's numastat ("numa_hit 193460335812" per line) for node `node`:
// each name gets "_total". A line that is not two words with a number second, or
// whose name cannot be part of a metric name, is skipped and counted.
std::vector<NumaMemoryField> ParseNumastat(std::string_view text, std::string_view node, std::uint64_t* parse_errors);

CollectorSpec MeminfoNumaCollectorSpec();

}  // namespace hostwatch
