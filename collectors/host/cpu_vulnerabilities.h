// cpu_vulnerabilities collector: one node_cpu_vulnerabilities_info{codename,state,mitigation}
// series (value 1) per file of sysfs devices/system/cpu/vulnerabilities/
// (Documentation/ABI/testing/sysfs-devices-system-cpu), as node_exporter 1.12.1
// exports it (procfs CPUVulnerabilities). Without that directory: NoData.
#pragma once

#include <string>
#include <string_view>

#include "collectors/core/collector.h"

namespace hostwatch {

struct CpuVulnerability {
  std::string codename;    // the file's name: "spectre_v2"
  std::string state;       // "not affected", "vulnerable", "mitigation" or "unknown"
  std::string mitigation;  // what follows the state's first word, words joined by one space
};

// Parses one vulnerability file. The state is the case-insensitive prefix of
// the content; for "vulnerable", "mitigation" and "unknown" the mitigation is
// every word after the first ("Mitigation: PTI" -> "PTI"), for "not affected"
// it is empty. Any other content is state "unknown" with the whole trimmed
// content as mitigation. Never fails: every kernel text has a reading.
CpuVulnerability ParseCpuVulnerability(std::string_view codename, std::string_view content);

CollectorSpec CpuVulnerabilitiesCollectorSpec();

}  // namespace hostwatch
