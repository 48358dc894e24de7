// libFuzzer target: ParseFileSd (a targets_files: file, JSON or YAML, written by whatever configuration
// management an operator runs, re-read while the agent runs) on arbitrary bytes must not crash, hang,
// leak or trip a sanitizer; a result it accepts has only non-empty targets and no "__" labels.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/checks/file_sd/file_sd.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hostwatch::ConfigDiagnostics diag("fuzz.yml");
  std::vector<hostwatch::TargetGroup> groups = hostwatch::ParseFileSd(text, &diag);
  if (diag.ok()) {
    for (const hostwatch::TargetGroup& g : groups) {
      for (const std::string& t : g.targets) {
        if (t.empty()) {
          std::abort();
        }
      }
      for (const auto& [name, value] : g.labels) {
        if (name.rfind("__", 0) == 0) {
          std::abort();
        }
      }
    }
  }
  (void)diag.ToString();
  return 0;
}
