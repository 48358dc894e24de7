// libFuzzer target: ParseWebConfig (the --web.config.file YAML: TLS, basic auth, headers) on
// arbitrary bytes must not crash, throw, hang or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/web/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hostwatch::ParseWebConfig(text, "/nonexistent/fuzz/web.yml");
  return 0;
}
