// dmi collector: node_dmi_info from the files of /sys/class/dmi/id (the
// firmware's SMBIOS strings), as node_exporter's dmi collector exports it.
//
// Also home of AddInfoSample, shared by the info metrics whose label set
// varies per series (node_dmi_info, node_power_supply_info).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

using InfoLabels = std::vector<std::pair<std::string, std::string>>;  // (name, value)

// One DMI file node_exporter exports and the label it becomes.
struct DmiField {
  std::string_view file;
  std::string_view label;
};
// The 20 fields, sorted by label (the order of the exported labels).
const std::vector<DmiField>& DmiFields();

// node_dmi_info's labels from the DMI files that could be read (file name ->
// content): one pair per DmiFields file present, in label order, the value
// trimmed of surrounding white space and with each run of invalid UTF-8
// replaced by U+FFFD, as node_exporter does. Other files are ignored. Empty
// when none of the files is there.
InfoLabels DmiInfoLabels(const std::map<std::string, std::string, std::less<>>& files);

// Adds a gauge sample of value 1 whose label names vary per series: its own
// one-sample family (the exposition writer merges families of one name).
// labels must be sorted by name.
void AddInfoSample(MetricSink& sink, const std::string& name, const std::string& help, const InfoLabels& labels);

CollectorSpec DmiCollectorSpec();

}  // namespace hostwatch
