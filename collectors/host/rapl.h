// rapl collector: energy counters of the RAPL power capping zones in
// /sys/class/powercap/<zone>/ as node_rapl_<zone>_joules_total{index,path}
// (or, with --collector.rapl.enable-zone-label, one node_rapl_joules_total
// with a rapl_zone label), as node_exporter's rapl collector exports them.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

// A zone's exported name and index from the content of its name file, as
// procfs's getIndexAndName: "package-0" -> ("package", 0); any other name
// keeps itself and gets the number of zones seen before under it.
// name_counts (name -> next index) is updated; zones are visited in
// directory order.
struct RaplZoneName {
  std::string name;
  int index = 0;
};
RaplZoneName RaplZoneNameAndIndex(std::string_view name_file, std::map<std::string, int>* name_counts);

CollectorSpec RaplCollectorSpec();

}  // namespace hostwatch
