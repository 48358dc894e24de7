// The "Module configuration" part of /probe?debug=true: a check's settings as
// YAML-like text with every secret replaced (header values, passwords, bearer
// tokens), as blackbox prints its module. Pure; safe on any thread.
#pragma once

#include <string>

#include "collectors/checks/check_config.h"

namespace hostwatch {

std::string RedactedConfigText(const HttpCheckConfig& config);

}  // namespace hostwatch
