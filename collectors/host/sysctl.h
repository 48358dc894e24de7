// sysctl collector: chosen /proc/sys values, numeric ones as node_sysctl_<name>
// (untyped; indexed or split into named fields) and text ones as
// node_sysctl_info{name,value,index}, as node_exporter exports them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"
#include "collectors/core/status.h"

namespace hostwatch {

// One entry of --collector.sysctl.include / include-info in node_exporter's syntax:
// "fs.file-nr" or "fs.file-nr:total,current,max" (one field name per value).
struct SysctlEntry {
  std::string name;               // "fs.file-nr"
  std::vector<std::string> keys;  // {"total", "current", "max"}; empty: one series, or one per index
  bool numeric = true;            // include (numbers) vs include-info (text)
};

// Parses an option value: entries separated by whitespace (node_exporter repeats the
// flag instead; entries never hold whitespace). Error naming the entry when its
// name is empty.
Result<std::vector<SysctlEntry>> ParseSysctlEntries(std::string_view option_value, bool numeric);

// The metric name part of a sysctl name, as node_exporter's SanitizeMetricName makes it
// ("fs.file-nr" -> "fs_file_nr").
std::string SysctlMetricName(std::string_view name);

// The /proc/sys path of a sysctl name relative to the proc root ("fs.file-nr" -> "sys/fs/file-nr").
std::string SysctlProcPath(std::string_view name);

CollectorSpec SysctlCollectorSpec();

}  // namespace hostwatch
