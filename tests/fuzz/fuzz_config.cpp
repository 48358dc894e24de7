// libFuzzer target: ParseConfigText (the hostwatch YAML configuration file) and the
// http_checks section it hands on (ParseHttpChecksConfig, with probe_targets), both read
// through ConfigReader, must not crash, throw, hang or trip a sanitizer on arbitrary bytes.
// Environment lookups are answered by a fixed function so runs do not depend on the
// fuzzing machine's environment.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "agent/config.h"
#include "collectors/checks/check_config.h"
#include "collectors/core/config_diagnostics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  hostwatch::ConfigDiagnostics diag("fuzz.yml");
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HW_FUZZ_SET") {
      return "value";
    }
    return std::nullopt;
  };
  hostwatch::FileConfig file = hostwatch::ParseConfigText(text, &diag, env);
  hostwatch::ParseHttpChecksConfig(file.http_checks, &diag);
  return 0;
}
