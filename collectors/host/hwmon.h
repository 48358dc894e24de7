// hwmon collector: the hardware monitoring chips of /sys/class/hwmon
// (Documentation/hwmon/sysfs-interface.rst) as node_exporter 1.12.1's hwmon
// collector exports them: node_hwmon_<type>_<property>_<unit>{chip,sensor},
// node_hwmon_chip_names{chip,chip_name}, node_hwmon_sensor_label{chip,sensor,label},
// with --collector.hwmon.{chip,sensor}-{include,exclude}.
//
// The pure pieces below (file name split, name cleaning, value parsing, the
// samples of one sensor, the chip labels) do what node_exporter's
// hwmon_linux.go does, rule for rule; the collector in hwmon.cpp only reads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// A sensor attribute file name split as node_exporter splits it with
// ^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$ :
// "temp1_crit_alarm" is {"temp", "temp1", "crit_alarm"}, "beep_enable" is
// {"beep_enable", "beep_enable0", ""}, "in007_input" is {"in", "in7", "input"}.
struct HwmonSensorFile {
  std::string type;      // one of node_exporter's sensor types (temp, fan, in, ...)
  std::string sensor;    // type + the number without leading zeros ("0" when none)
  std::string property;  // "" for the sensor's own value file ("pwm1")
};

// The split of file_name, or nullopt when it does not match the pattern, its
// number does not fit an int64, or its type is not one node_exporter reads
// (name, uevent, device, ...).
std::optional<HwmonSensorFile> ParseHwmonSensorFile(std::string_view file_name);

// node_exporter's cleanMetricName: Unicode lower case, every rune outside
// [a-z0-9:_] (and each byte of invalid UTF-8) replaced by "_", then "_"
// trimmed from both ends. "Physical id 0" -> "physical_id_0".
std::string CleanHwmonName(std::string_view s);

// Go's strconv.ParseFloat(s, 64): decimal or hexadecimal (0x1p-2) with an
// optional sign, inf/infinity/nan in any case; nullopt for anything else and
// for a value too large for a double (Go's ErrRange), 0 for one too small.
std::optional<double> ParseGoFloat(std::string_view s);

// The properties read for one sensor: property -> file content.
using HwmonProperties = std::map<std::string, std::string>;
// A chip's sensors: sensor ("temp1") -> its properties.
using HwmonSensors = std::map<std::string, HwmonProperties>;

// How much of a value file node_exporter looks at: one read() of this size.
constexpr std::size_t kHwmonMaxValueBytes = 128;

// Records one attribute file's content as node_exporter does: at most
// kHwmonMaxValueBytes bytes, leading and trailing newlines removed (spaces
// kept). A later file of the same sensor and property replaces the earlier
// one (the device/ directory is read after the hwmon directory).
void AddHwmonValue(const HwmonSensorFile& file, std::string_view raw, HwmonSensors* sensors);

// One sample node_exporter emits for a chip. Every family has the labels
// {chip, sensor} except node_hwmon_sensor_label {chip, sensor, label}.
struct HwmonSample {
  std::string name;
  std::string help;
  MetricType type = MetricType::Gauge;
  double value = 0;
  std::vector<std::string> label_values;  // chip, sensor[, label]
};

// The samples of one sensor of a chip: node_hwmon_sensor_label when it has
// a label, then one per property with the name, HELP, unit and scaling
// node_exporter gives that sensor type and property. A value Go's ParseFloat
// rejects is skipped (as upstream does); each is counted in *parse_errors.
std::vector<HwmonSample> HwmonSensorSamples(std::string_view chip, std::string_view sensor,
                                            const HwmonProperties& props, std::uint64_t* parse_errors);

// What is known about one /sys/class/hwmon entry for naming it.
struct HwmonChipFacts {
  std::optional<std::string> device_path;  // its device link, resolved; nullopt: none
  std::optional<std::string> name_file;    // content of its name file; nullopt: unreadable
  std::optional<std::string> real_dir;     // the entry itself, resolved; nullopt: unresolvable
};

// node_exporter's hwmonName: "<bus>_<device>" from the resolved device link
// ("platform_coretemp_0"), else the cleaned name file, else the cleaned last
// element of the resolved directory ("hwmon4"); nullopt when all are empty.
std::optional<std::string> HwmonBaseName(const HwmonChipFacts& facts);

// The chip_name label of node_hwmon_chip_names: the cleaned name file, or
// nullopt (no such series) when it is unreadable or cleans to "".
std::optional<std::string> HwmonHumanName(const std::optional<std::string>& name_file);

// One chip before its label is final.
struct HwmonChipEntry {
  std::string dir_name;   // the entry under /sys/class/hwmon ("hwmon6")
  std::string base_name;  // HwmonBaseName
  std::string name_file;  // its name file with surrounding whitespace trimmed, "" when unreadable
};

// The chip label of each entry (same order). Several hwmon nodes may share a
// device (asus-nb-wmi has two), so a base name used more than once gets the
// cleaned name file as suffix, or the entry's own name when that is empty or
// shared too: platform_asus_nb_wmi_asus, platform_asus_nb_wmi_asus_wmi_sensors.
std::vector<std::string> HwmonChipLabels(const std::vector<HwmonChipEntry>& entries);

CollectorSpec HwmonCollectorSpec();

}  // namespace hostwatch
