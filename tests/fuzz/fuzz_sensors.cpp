// libFuzzer target: the parsers of the hwmon and thermal_zone collectors on arbitrary bytes must not
// crash, hang, leak or trip a sanitizer. The input's first line is taken as a sysfs file name and the
// rest as that file's content, so one input reaches the name split, the value and label rules and
// the thermal attribute parsers alike.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/host/hwmon.h"
#include "collectors/host/thermal_zone.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = text.find('\n');
  const std::string_view name = text.substr(0, newline);
  const std::string_view content = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  std::uint64_t parse_errors = 0;
  hostwatch::HwmonSensors sensors;
  if (std::optional<hostwatch::HwmonSensorFile> file = hostwatch::ParseHwmonSensorFile(name)) {
    hostwatch::AddHwmonValue(*file, content, &sensors);
    hostwatch::AddHwmonValue({file->type, file->sensor, "label"}, content, &sensors);
  }
  for (const auto& [sensor, props] : sensors) {
    (void)hostwatch::HwmonSensorSamples(hostwatch::CleanHwmonName(name), sensor, props, &parse_errors);
  }
  (void)hostwatch::ParseGoFloat(content);
  (void)hostwatch::HwmonBaseName({std::string(name), std::string(content), std::string(text)});
  (void)hostwatch::HwmonChipLabels({{std::string(name), "x", std::string(content)}, {"y", "x", std::string(content)}});
  (void)hostwatch::ParseThermalZone("0", std::string(name), std::string(content));
  (void)hostwatch::ParseCoolingDevice("0", name, content, content);
  return 0;
}
