// Standard base64 decoding, for the two places hostwatch reads it: HTTP basic
// auth headers (agent/web/basic_auth) and the []byte fields of Go JSON (the
// wifi collector's fixture files, collectors/core/go_json). Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hostwatch {

// Standard base64 (RFC 4648 §4, padding required); nullopt on any invalid input.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace hostwatch
